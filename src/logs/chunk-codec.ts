// Records ⇄ outbox chunks: a chunk is one export request, encoded (OTLP protobuf or JSON) and
// compressed once, bounded in records and bytes, and stored with its content type and encoding so
// that it is sent byte for byte whatever the configuration says by then.
import { gunzipSync, gzipSync } from "node:zlib";
import type { NewChunk } from "../state/outbox-tables.ts";
import { DEFAULT_DESTINATION, STORED_RECORDS_CONTENT_TYPE } from "../state/schema.ts";
import { decodeExportRequest } from "./otlp-decode.ts";
import { CONTENT_TYPES, encodeExportRequest, type OtlpProtocol } from "./otlp-encode.ts";
import { decodeStoredRecord } from "./record-codec.ts";
import { effectiveTimeUnixNano } from "./record-time.ts";
import type { LogRecord } from "./records.ts";

export interface ChunkFormat {
  readonly protocol: OtlpProtocol;
  readonly compression: "gzip" | "none";
}

export interface ChunkBounds {
  readonly maxRecords: number;
  /** Request bytes before compression. */
  readonly maxBytes: number;
}

/** A chunk as encoded here: the shape the state's outbox table stores. */
export type EncodedChunk = NewChunk;

/**
 * gzip's fastest level: the request is compressed once, on the committing thread; level 1 costs a
 * fraction of the default 6 for a few percent more bytes on these repetitive records.
 */
const GZIP_LEVEL = 1;

/** Where a record's chunk goes (its Loki tenant); the chunk's own destination when re-encoding. */
export type RouteRecord = (record: LogRecord) => string;

/** Every record to the one default destination (no tenants configured). */
export const defaultRoute: RouteRecord = () => DEFAULT_DESTINATION;

function timeRange(records: readonly LogRecord[]): { oldestNs: bigint; newestNs: bigint } {
  let oldestNs = effectiveTimeUnixNano(records[0] as LogRecord);
  let newestNs = oldestNs;
  for (const record of records) {
    const ns = effectiveTimeUnixNano(record);
    if (ns < oldestNs) oldestNs = ns;
    if (ns > newestNs) newestNs = ns;
  }
  return { oldestNs, newestNs };
}

function encodeOne(
  records: readonly LogRecord[],
  destination: string,
  format: ChunkFormat,
  maxBytes: number,
): EncodedChunk[] {
  const request = encodeExportRequest(records, format.protocol);
  if (request.length > maxBytes && records.length > 1) {
    const middle = Math.ceil(records.length / 2);
    return [
      ...encodeOne(records.slice(0, middle), destination, format, maxBytes),
      ...encodeOne(records.slice(middle), destination, format, maxBytes),
    ];
  }
  const gzip = format.compression === "gzip";
  return [
    {
      destination,
      ...timeRange(records),
      recordCount: records.length,
      contentType: CONTENT_TYPES[format.protocol],
      contentEncoding: gzip ? "gzip" : "",
      body: gzip ? gzipSync(request, { level: GZIP_LEVEL }) : request,
    },
  ];
}

/**
 * The chunks of `records`: per destination, in record time order (a backlog goes before fresher
 * records and each stream receives its entries in order), at most maxRecords each and maxBytes
 * before compression (a single larger record is a chunk of its own).
 */
export function encodeChunks(
  records: readonly LogRecord[],
  format: ChunkFormat,
  bounds: ChunkBounds,
  route: RouteRecord,
): EncodedChunk[] {
  const byDestination = new Map<string, LogRecord[]>();
  for (const record of records) {
    const destination = route(record);
    const list = byDestination.get(destination);
    if (list) list.push(record);
    else byDestination.set(destination, [record]);
  }
  const chunks: EncodedChunk[] = [];
  const maxRecords = Math.max(1, Math.floor(bounds.maxRecords));
  for (const [destination, list] of byDestination) {
    const ordered = list
      .map((record, index) => ({ record, index, ns: effectiveTimeUnixNano(record) }))
      .sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : a.index - b.index))
      .map((entry) => entry.record);
    for (let i = 0; i < ordered.length; i += maxRecords)
      chunks.push(
        ...encodeOne(ordered.slice(i, i + maxRecords), destination, format, bounds.maxBytes),
      );
  }
  return chunks;
}

/** The format an OTLP chunk was encoded in (to encode parts of it alike), or null for another. */
export function formatOf(contentType: string, contentEncoding: string): ChunkFormat | null {
  const compression = contentEncoding === "gzip" ? "gzip" : contentEncoding === "" ? "none" : null;
  if (compression === null) return null;
  for (const protocol of Object.keys(CONTENT_TYPES) as OtlpProtocol[])
    if (CONTENT_TYPES[protocol] === contentType) return { protocol, compression };
  return null;
}

export function isStoredRecords(contentType: string): boolean {
  return contentType === STORED_RECORDS_CONTENT_TYPE;
}

/** A record that could not be read back, kept in whatever form it had. */
export interface UnreadableRecord {
  readonly text: string;
  readonly error: unknown;
}

const utf8 = new TextDecoder();

/**
 * The records of a chunk. A stored-records chunk is read line by line (an unreadable line is
 * returned apart and the rest goes on); an encoded request is all or nothing (it throws).
 */
export function decodeChunk(chunk: {
  readonly contentType: string;
  readonly contentEncoding: string;
  readonly body: Uint8Array;
}): { records: LogRecord[]; unreadable: UnreadableRecord[] } {
  const raw = chunk.contentEncoding === "gzip" ? gunzipSync(chunk.body) : chunk.body;
  if (!isStoredRecords(chunk.contentType))
    return { records: decodeExportRequest(raw, chunk.contentType), unreadable: [] };
  const records: LogRecord[] = [];
  const unreadable: UnreadableRecord[] = [];
  for (const line of utf8.decode(raw).split("\n")) {
    if (line === "") continue;
    try {
      records.push(decodeStoredRecord(line));
    } catch (error) {
      unreadable.push({ text: line, error });
    }
  }
  return { records, unreadable };
}
