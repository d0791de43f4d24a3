// A lean OTLP/HTTP logs receiver for the benchmark: gunzips, walks the protobuf wire format for
// each record's name, session id and event id, and keeps every identity once (duplicates counted).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { addToDigest, type Digest, emptyDigest, eventKey, sessionKey } from "./record-digest.ts";

const SESSION_ID = Buffer.from("vbo.session.id");
const EVENT_ID = Buffer.from("vbo.event.id");
const EVENT_DURATION = Buffer.from("vbo.event.duration_seconds");
const EVENT_RECORD = "vbo.restore.event";
const SESSION_RECORD = "vbo.restore.session";

export interface TrackedEvent {
  readonly key: string;
  readonly timeMs: number;
  /** The event's time plus its duration: when VBO wrote it as finished. */
  readonly endedMs: number;
  readonly arrivedMs: number;
}

export interface OtlpCounter {
  readonly url: string;
  /** Distinct records received (their identities' digest). */
  readonly distinct: Digest;
  readonly stats: { requests: number; records: number; duplicates: number; undecodable: number };
  /** Resolves once this many distinct records have arrived. */
  waitFor(count: number, stallMs: number): Promise<number>;
  /**
   * From now on keep the time and the arrival (epoch ms) of every event record whose time is at
   * or after `sinceMs`, for the detection latency; null stops.
   */
  trackEventsSince(sinceMs: number | null): void;
  /** The event records kept since trackEventsSince, in order of arrival (times in epoch ms). */
  tracked(): readonly TrackedEvent[];
  /** Forget everything received so far (between runs). */
  reset(): void;
  close(): Promise<void>;
}

function varint(buf: Buffer, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[pos++];
    if (byte === undefined) throw new Error("truncated varint");
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, pos];
    shift += 7;
  }
}

/** Calls visit(field, start, end) for each field of the message in [start, end) (fixed32 aside). */
function fields(
  buf: Buffer,
  start: number,
  end: number,
  visit: (field: number, from: number, to: number) => void,
): void {
  let pos = start;
  while (pos < end) {
    const [tag, afterTag] = varint(buf, pos);
    pos = afterTag;
    const wire = tag % 8;
    if (wire === 0) {
      const after = varint(buf, pos)[1];
      visit(Math.floor(tag / 8), pos, after);
      pos = after;
    } else if (wire === 1) {
      visit(Math.floor(tag / 8), pos, pos + 8);
      pos += 8;
    } else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [length, from] = varint(buf, pos);
      pos = from + length;
      visit(Math.floor(tag / 8), from, pos);
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  if (pos !== end) throw new Error("field runs past its message");
}

const equals = (buf: Buffer, from: number, to: number, text: Buffer) =>
  to - from === text.length && buf.compare(text, 0, text.length, from, to) === 0;

export interface ReceivedRecord {
  readonly key: string;
  /** The record's time_unix_nano in ms (0 when unset). */
  readonly timeMs: number;
  /** An event's vbo.event.duration_seconds in ms (0 when absent). */
  readonly durationMs: number;
  readonly isEvent: boolean;
}

/** The identity of every log record in an ExportLogsServiceRequest. */
export function recordKeys(buf: Buffer): string[] {
  return receivedRecords(buf).map((r) => r.key);
}

/** The identity and time of every log record in an ExportLogsServiceRequest. */
export function receivedRecords(buf: Buffer): ReceivedRecord[] {
  const records: ReceivedRecord[] = [];
  fields(buf, 0, buf.length, (f, s, e) => {
    if (f !== 1) return; // ResourceLogs
    fields(buf, s, e, (f2, s2, e2) => {
      if (f2 !== 2) return; // ScopeLogs
      fields(buf, s2, e2, (f3, s3, e3) => {
        if (f3 !== 2) return; // LogRecord
        let name = "";
        let sessionId = "";
        let eventId = "";
        let timeMs = 0;
        let durationMs = 0;
        fields(buf, s3, e3, (f4, s4, e4) => {
          if (f4 === 1 && e4 - s4 === 8) timeMs = Number(buf.readBigUInt64LE(s4) / 1_000_000n);
          if (f4 === 12) name = buf.toString("utf8", s4, e4);
          if (f4 !== 6) return; // attributes: KeyValue
          let which: "session" | "event" | "duration" | null = null;
          fields(buf, s4, e4, (f5, s5, e5) => {
            if (f5 === 1) {
              which = equals(buf, s5, e5, SESSION_ID)
                ? "session"
                : equals(buf, s5, e5, EVENT_ID)
                  ? "event"
                  : equals(buf, s5, e5, EVENT_DURATION)
                    ? "duration"
                    : null;
            } else if (f5 === 2 && which !== null) {
              const kind = which;
              fields(buf, s5, e5, (f6, s6, e6) => {
                if (kind === "duration") {
                  // AnyValue.doubleValue, or intValue for a whole number of seconds
                  if (f6 === 4 && e6 - s6 === 8) durationMs = buf.readDoubleLE(s6) * 1000;
                  if (f6 === 3) durationMs = varint(buf, s6)[0] * 1000;
                  return;
                }
                if (f6 !== 1) return; // AnyValue.stringValue
                if (kind === "session") sessionId = buf.toString("utf8", s6, e6);
                else eventId = buf.toString("utf8", s6, e6);
              });
            }
          });
        });
        const isEvent = name === EVENT_RECORD;
        const key = isEvent
          ? eventKey(sessionId, eventId)
          : name === SESSION_RECORD
            ? sessionKey(sessionId)
            : `other:${name}:${sessionId}:${eventId}`;
        records.push({ key, timeMs, durationMs, isEvent });
      });
    });
  });
  return records;
}

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startOtlpCounter(): Promise<OtlpCounter> {
  let seen = new Set<string>();
  const distinct = emptyDigest();
  const stats = { requests: 0, records: 0, duplicates: 0, undecodable: 0 };
  let onArrival: (() => void) | null = null;
  let trackSinceMs: number | null = null;
  let tracked: TrackedEvent[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const raw = await body(request);
    stats.requests++;
    const arrivedMs = Date.now();
    let records: ReceivedRecord[];
    try {
      if (!String(request.headers["content-type"]).startsWith("application/x-protobuf"))
        throw new Error("not protobuf");
      records = receivedRecords(
        request.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw,
      );
    } catch {
      stats.undecodable++;
      response.writeHead(400).end("cannot decode");
      return;
    }
    for (const { key, timeMs, durationMs, isEvent } of records) {
      stats.records++;
      if (seen.has(key)) stats.duplicates++;
      else {
        seen.add(key);
        addToDigest(distinct, key);
        if (trackSinceMs !== null && isEvent && timeMs >= trackSinceMs)
          tracked.push({ key, timeMs, endedMs: timeMs + durationMs, arrivedMs });
      }
    }
    response.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    onArrival?.();
  };
  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/otlp/v1/logs`,
    distinct,
    stats,
    waitFor(count, stallMs) {
      return new Promise((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const arm = () => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            onArrival = null;
            reject(
              new Error(
                `the receiver got ${distinct.count} of ${count} records and nothing more for ${stallMs / 1000} s`,
              ),
            );
          }, stallMs);
        };
        onArrival = () => {
          if (distinct.count >= count) {
            clearTimeout(timer);
            onArrival = null;
            resolve(performance.now());
          } else arm();
        };
        arm();
        onArrival();
      });
    },
    trackEventsSince(sinceMs) {
      trackSinceMs = sinceMs;
      tracked = [];
    },
    tracked: () => tracked,
    reset() {
      seen = new Set();
      trackSinceMs = null;
      tracked = [];
      Object.assign(distinct, emptyDigest());
      Object.assign(stats, { requests: 0, records: 0, duplicates: 0, undecodable: 0 });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
