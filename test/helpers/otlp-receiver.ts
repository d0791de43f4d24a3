// A real OTLP/HTTP logs receiver on loopback for tests: decodes protobuf (protobufjs with a
// hand-written descriptor of opentelemetry-proto logs/v1, common/v1, resource/v1 — independent of
// the OpenTelemetry JS packages) and JSON, gzip or not; answers errors on demand; records arrivals.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { gunzipSync } from "node:zlib";
import protobuf from "protobufjs";

/** opentelemetry-proto field numbers, written out by hand from the .proto files. */
const DESCRIPTOR = {
  nested: {
    AnyValue: {
      oneofs: {
        value: {
          oneof: [
            "stringValue",
            "boolValue",
            "intValue",
            "doubleValue",
            "arrayValue",
            "kvlistValue",
            "bytesValue",
          ],
        },
      },
      fields: {
        stringValue: { type: "string", id: 1 },
        boolValue: { type: "bool", id: 2 },
        intValue: { type: "int64", id: 3 },
        doubleValue: { type: "double", id: 4 },
        arrayValue: { type: "ArrayValue", id: 5 },
        kvlistValue: { type: "KeyValueList", id: 6 },
        bytesValue: { type: "bytes", id: 7 },
      },
    },
    ArrayValue: { fields: { values: { rule: "repeated", type: "AnyValue", id: 1 } } },
    KeyValueList: { fields: { values: { rule: "repeated", type: "KeyValue", id: 1 } } },
    KeyValue: {
      fields: { key: { type: "string", id: 1 }, value: { type: "AnyValue", id: 2 } },
    },
    InstrumentationScope: {
      fields: {
        name: { type: "string", id: 1 },
        version: { type: "string", id: 2 },
        attributes: { rule: "repeated", type: "KeyValue", id: 3 },
        droppedAttributesCount: { type: "uint32", id: 4 },
      },
    },
    Resource: {
      fields: {
        attributes: { rule: "repeated", type: "KeyValue", id: 1 },
        droppedAttributesCount: { type: "uint32", id: 2 },
      },
    },
    LogRecord: {
      fields: {
        timeUnixNano: { type: "fixed64", id: 1 },
        observedTimeUnixNano: { type: "fixed64", id: 11 },
        severityNumber: { type: "int32", id: 2 },
        severityText: { type: "string", id: 3 },
        body: { type: "AnyValue", id: 5 },
        attributes: { rule: "repeated", type: "KeyValue", id: 6 },
        droppedAttributesCount: { type: "uint32", id: 7 },
        flags: { type: "fixed32", id: 8 },
        traceId: { type: "bytes", id: 9 },
        spanId: { type: "bytes", id: 10 },
        eventName: { type: "string", id: 12 },
      },
    },
    ScopeLogs: {
      fields: {
        scope: { type: "InstrumentationScope", id: 1 },
        logRecords: { rule: "repeated", type: "LogRecord", id: 2 },
        schemaUrl: { type: "string", id: 3 },
      },
    },
    ResourceLogs: {
      fields: {
        resource: { type: "Resource", id: 1 },
        scopeLogs: { rule: "repeated", type: "ScopeLogs", id: 2 },
        schemaUrl: { type: "string", id: 3 },
      },
    },
    ExportLogsServiceRequest: {
      fields: { resourceLogs: { rule: "repeated", type: "ResourceLogs", id: 1 } },
    },
    ExportLogsPartialSuccess: {
      fields: {
        rejectedLogRecords: { type: "int64", id: 1 },
        errorMessage: { type: "string", id: 2 },
      },
    },
    ExportLogsServiceResponse: {
      fields: { partialSuccess: { type: "ExportLogsPartialSuccess", id: 1 } },
    },
  },
};

const root = protobuf.Root.fromJSON(DESCRIPTOR);
const RequestType = root.lookupType("ExportLogsServiceRequest");
const ResponseType = root.lookupType("ExportLogsServiceResponse");

/** An attribute or body value with its OTLP type kept. */
export type Value =
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "int"; readonly value: bigint }
  | { readonly type: "double"; readonly value: number }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "other"; readonly value: unknown };

export interface ReceivedKeyValue {
  readonly key: string;
  readonly value: Value;
}

export interface ReceivedRecord {
  readonly resource: readonly ReceivedKeyValue[];
  readonly scopeName: string;
  readonly timeUnixNano: bigint;
  readonly observedTimeUnixNano: bigint;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: Value | null;
  readonly eventName: string;
  readonly attributes: readonly ReceivedKeyValue[];
}

export interface ReceivedRequest {
  readonly protocol: "protobuf" | "json";
  readonly contentEncoding: string;
  readonly headers: IncomingMessage["headers"];
  /** The request body as it arrived (compressed when gzip). */
  readonly raw: Buffer;
  readonly records: readonly ReceivedRecord[];
}

export interface Answer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Records of this request the receiver keeps although it answers an error (Loki-style). */
  readonly store?: readonly ReceivedRecord[];
  /** Never answer (the connection stays open until the client goes away or the receiver closes). */
  readonly hang?: boolean;
  /** Send the status line and headers, then one byte every this many ms, never finishing. */
  readonly trickleMs?: number;
}

/** Decides the answer to one request; null means the default (accept everything). */
export type Responder = (request: ReceivedRequest) => Answer | null;

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return typeof value === "object" && value !== null ? (value as Json) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function toBigInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return BigInt(value);
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
  return 0n;
}

/** AnyValue from protobufjs toObject (longs as strings) or OTLP/JSON: the same field names. */
function decodeValue(raw: unknown): Value | null {
  const value = asObject(raw);
  if ("stringValue" in value) return { type: "string", value: String(value.stringValue) };
  if ("intValue" in value) return { type: "int", value: toBigInt(value.intValue) };
  if ("doubleValue" in value) return { type: "double", value: Number(value.doubleValue) };
  if ("boolValue" in value) return { type: "bool", value: Boolean(value.boolValue) };
  if (Object.keys(value).length === 0) return null;
  return { type: "other", value };
}

function decodeKeyValues(raw: unknown): ReceivedKeyValue[] {
  return asArray(raw).map((item) => {
    const kv = asObject(item);
    return {
      key: String(kv.key ?? ""),
      value: decodeValue(kv.value) ?? { type: "other", value: null },
    };
  });
}

/** Flattens an ExportLogsServiceRequest object (either encoding) into records. */
function flatten(request: Json): ReceivedRecord[] {
  const records: ReceivedRecord[] = [];
  for (const resourceLogs of asArray(request.resourceLogs)) {
    const rl = asObject(resourceLogs);
    const resource = decodeKeyValues(asObject(rl.resource).attributes);
    for (const scopeLogs of asArray(rl.scopeLogs)) {
      const sl = asObject(scopeLogs);
      const scopeName = String(asObject(sl.scope).name ?? "");
      for (const logRecord of asArray(sl.logRecords)) {
        const lr = asObject(logRecord);
        records.push({
          resource,
          scopeName,
          timeUnixNano: toBigInt(lr.timeUnixNano),
          observedTimeUnixNano: toBigInt(lr.observedTimeUnixNano),
          severityNumber: Number(lr.severityNumber ?? 0),
          severityText: String(lr.severityText ?? ""),
          body: decodeValue(lr.body),
          eventName: String(lr.eventName ?? ""),
          attributes: decodeKeyValues(lr.attributes),
        });
      }
    }
  }
  return records;
}

export function decodeProtobufRequest(body: Uint8Array): ReceivedRecord[] {
  const message = RequestType.decode(body);
  const object = RequestType.toObject(message, {
    longs: String,
    enums: Number,
    bytes: String,
    defaults: false,
    oneofs: false,
  });
  return flatten(object);
}

export function decodeJsonRequest(body: Uint8Array): ReceivedRecord[] {
  return flatten(asObject(JSON.parse(new TextDecoder().decode(body))));
}

/** A protobuf ExportLogsServiceResponse with partial success. */
export function encodePartialSuccess(rejected: number, message: string): Uint8Array {
  return ResponseType.encode(
    ResponseType.fromObject({
      partialSuccess: { rejectedLogRecords: rejected, errorMessage: message },
    }),
  ).finish();
}

/** A string attribute's value, undefined when absent or not a string. */
export function stringAttribute(record: ReceivedRecord, key: string): string | undefined {
  const found = record.attributes.find((a) => a.key === key);
  return found?.value.type === "string" ? found.value.value : undefined;
}

export interface OtlpReceiver {
  readonly url: string;
  /** Every request that reached the receiver, decoded. */
  readonly requests: ReceivedRequest[];
  /** Records the receiver kept (accepted requests plus Loki-style partial stores), in order. */
  readonly stored: ReceivedRecord[];
  /** Replaces the answering rule (null restores the default: accept with `successStatus`). */
  respond(responder: Responder | null): void;
  /** Status used for accepted requests: 200 (OTLP) or 204 (Loki). */
  successStatus: 200 | 204;
  /** Stops listening and drops open connections: senders see connection errors. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface ReceiverOptions {
  /** Serve HTTPS with this certificate and key (PEM). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

export async function startOtlpReceiver(options: ReceiverOptions = {}): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const stored: ReceivedRecord[] = [];
  let responder: Responder | null = null;
  const sockets = new Set<Socket>();

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const raw = await readBody(request);
    const encoding = String(request.headers["content-encoding"] ?? "");
    const contentType = String(request.headers["content-type"] ?? "");
    let records: ReceivedRecord[];
    let protocol: "protobuf" | "json";
    try {
      const body = encoding === "gzip" ? gunzipSync(raw) : raw;
      if (contentType.startsWith("application/x-protobuf")) {
        protocol = "protobuf";
        records = decodeProtobufRequest(body);
      } else if (contentType.startsWith("application/json")) {
        protocol = "json";
        records = decodeJsonRequest(body);
      } else {
        response.writeHead(415).end("unsupported content type");
        return;
      }
    } catch (error) {
      response.writeHead(400).end(`cannot decode: ${String(error)}`);
      return;
    }
    const received: ReceivedRequest = {
      protocol,
      contentEncoding: encoding,
      headers: request.headers,
      raw,
      records,
    };
    requests.push(received);
    const answer = responder?.(received) ?? null;
    if (answer === null) {
      stored.push(...records);
      if (receiver.successStatus === 204) {
        response.writeHead(204).end();
      } else if (protocol === "protobuf") {
        response.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      } else {
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      }
      return;
    }
    stored.push(...(answer.store ?? []));
    if (answer.hang) return;
    response.writeHead(answer.status, answer.headers ?? {});
    if (answer.trickleMs !== undefined) {
      const timer = setInterval(() => response.write(Buffer.from([0])), answer.trickleMs);
      response.on("close", () => clearInterval(timer));
      return;
    }
    response.end(answer.body ?? "");
  };

  const listener = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener)
    : createServer(listener);
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });

  const receiver: OtlpReceiver = {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}/otlp/v1/logs`,
    requests,
    stored,
    successStatus: 200,
    respond(next) {
      responder = next;
    },
    down: stopListening,
    up: () =>
      new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => {
          server.off("error", reject);
          resolve();
        });
      }),
    close: stopListening,
  };
  return receiver;
}
