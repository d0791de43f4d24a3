// Reads an OTLP ExportLogsServiceRequest this exporter encoded (protobuf or JSON) back into log
// records: needed only on rare paths (a 400 to bisect, records aged past maxRecordAge, the console).
import { ExporterError } from "../errors.ts";
import type { Attribute, LogRecord } from "./records.ts";
import { recordKeyOf } from "./records.ts";

function bad(detail: string): never {
  throw new ExporterError("corrupt_record", `stored log request is unreadable: ${detail}`);
}

/** Just enough of the protobuf wire format: varints, fixed64 and length-delimited fields. */
class Reader {
  private pos = 0;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  done(): boolean {
    return this.pos >= this.bytes.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.bytes.length) bad("truncated varint");
      const byte = this.bytes[this.pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) bad("varint too long");
    }
  }

  fixed64(): bigint {
    if (this.pos + 8 > this.bytes.length) bad("truncated fixed64");
    const value = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return value;
  }

  double(): number {
    if (this.pos + 8 > this.bytes.length) bad("truncated double");
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  bytesField(): Uint8Array {
    const length = Number(this.varint());
    if (this.pos + length > this.bytes.length) bad("truncated field");
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** Each field as [number, wire type]; the callback reads the value or returns false to skip it. */
  fields(read: (field: number, wire: number) => boolean): void {
    while (!this.done()) {
      const tag = Number(this.varint());
      const field = tag >>> 3;
      const wire = tag & 7;
      if (read(field, wire)) continue;
      if (wire === 0) this.varint();
      else if (wire === 1) this.pos += 8;
      else if (wire === 2) this.bytesField();
      else if (wire === 5) this.pos += 4;
      else bad(`unexpected wire type ${wire}`);
    }
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const text = (bytes: Uint8Array) => utf8.decode(bytes);

/** An AnyValue as an attribute value (string, int or double: all that records carry). */
function anyValue(bytes: Uint8Array): Attribute["value"] {
  let value: Attribute["value"] = { type: "string", value: "" };
  const reader = new Reader(bytes);
  reader.fields((field, wire) => {
    if (field === 1 && wire === 2) value = { type: "string", value: text(reader.bytesField()) };
    else if (field === 3 && wire === 0)
      value = { type: "int", value: Number(BigInt.asIntN(64, reader.varint())) };
    else if (field === 4 && wire === 1) value = { type: "double", value: reader.double() };
    else return false;
    return true;
  });
  return value;
}

function keyValue(bytes: Uint8Array): Attribute {
  let key = "";
  let value: Attribute["value"] = { type: "string", value: "" };
  const reader = new Reader(bytes);
  reader.fields((field, wire) => {
    if (field === 1 && wire === 2) key = text(reader.bytesField());
    else if (field === 2 && wire === 2) value = anyValue(reader.bytesField());
    else return false;
    return true;
  });
  return { key, value };
}

function protobufRecord(bytes: Uint8Array, resource: readonly Attribute[]): LogRecord {
  let time = 0n;
  let observed = 0n;
  let severityNumber = 0;
  let severityText = "";
  let body = "";
  let eventName = "";
  const attributes: Attribute[] = [];
  const reader = new Reader(bytes);
  reader.fields((field, wire) => {
    if (field === 1 && wire === 1) time = reader.fixed64();
    else if (field === 11 && wire === 1) observed = reader.fixed64();
    else if (field === 2 && wire === 0) severityNumber = Number(reader.varint());
    else if (field === 3 && wire === 2) severityText = text(reader.bytesField());
    else if (field === 5 && wire === 2) body = String(anyValue(reader.bytesField()).value);
    else if (field === 6 && wire === 2) attributes.push(keyValue(reader.bytesField()));
    else if (field === 12 && wire === 2) eventName = text(reader.bytesField());
    else return false;
    return true;
  });
  return assemble(
    resource,
    eventName,
    time,
    observed,
    severityNumber,
    severityText,
    body,
    attributes,
  );
}

function assemble(
  resource: readonly Attribute[],
  eventName: string,
  timeUnixNano: bigint,
  observedTimeUnixNano: bigint,
  severityNumber: number,
  severityText: string,
  body: string,
  attributes: Attribute[],
): LogRecord {
  const server = resource.find((a) => a.key === "vbo.server")?.value.value;
  return {
    key: recordKeyOf(eventName, attributes),
    server: typeof server === "string" ? server : "",
    eventName,
    timeUnixNano,
    observedTimeUnixNano,
    severityNumber,
    severityText,
    body,
    resource,
    attributes,
  };
}

function decodeProtobuf(body: Uint8Array): LogRecord[] {
  const records: LogRecord[] = [];
  const request = new Reader(body);
  request.fields((field, wire) => {
    if (field !== 1 || wire !== 2) return false;
    const resourceLogs = new Reader(request.bytesField());
    const resource: Attribute[] = [];
    const scopes: Uint8Array[] = [];
    resourceLogs.fields((f, w) => {
      if (f === 1 && w === 2) {
        const r = new Reader(resourceLogs.bytesField());
        r.fields((rf, rw) => {
          if (rf !== 1 || rw !== 2) return false;
          resource.push(keyValue(r.bytesField()));
          return true;
        });
      } else if (f === 2 && w === 2) scopes.push(resourceLogs.bytesField());
      else return false;
      return true;
    });
    for (const scope of scopes) {
      const scopeLogs = new Reader(scope);
      scopeLogs.fields((f, w) => {
        if (f !== 2 || w !== 2) return false;
        records.push(protobufRecord(scopeLogs.bytesField(), resource));
        return true;
      });
    }
    return true;
  });
  return records;
}

type Json = Record<string, unknown>;
const object = (value: unknown): Json =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function jsonValue(raw: unknown): Attribute["value"] {
  const value = object(raw);
  if (typeof value.stringValue === "string") return { type: "string", value: value.stringValue };
  if (value.intValue !== undefined) return { type: "int", value: Number(value.intValue) };
  if (value.doubleValue !== undefined) return { type: "double", value: Number(value.doubleValue) };
  return bad("an attribute value is neither string, int nor double");
}

function jsonAttributes(raw: unknown): Attribute[] {
  return list(raw).map((item) => {
    const kv = object(item);
    return { key: String(kv.key ?? ""), value: jsonValue(kv.value) };
  });
}

function jsonTime(raw: unknown): bigint {
  if (typeof raw === "string" && /^\d+$/.test(raw)) return BigInt(raw);
  if (typeof raw === "number" && Number.isInteger(raw)) return BigInt(raw);
  if (raw === undefined) return 0n;
  const bits = object(raw);
  if (typeof bits.low === "number" && typeof bits.high === "number")
    return (BigInt(bits.high >>> 0) << 32n) | BigInt(bits.low >>> 0);
  return bad("a timestamp is not a whole number");
}

function decodeJson(body: Uint8Array): LogRecord[] {
  let request: unknown;
  try {
    request = JSON.parse(text(body));
  } catch {
    bad("not JSON");
  }
  const records: LogRecord[] = [];
  for (const rl of list(object(request).resourceLogs)) {
    const resource = jsonAttributes(object(object(rl).resource).attributes);
    for (const sl of list(object(rl).scopeLogs)) {
      for (const raw of list(object(sl).logRecords)) {
        const lr = object(raw);
        records.push(
          assemble(
            resource,
            String(lr.eventName ?? ""),
            jsonTime(lr.timeUnixNano),
            jsonTime(lr.observedTimeUnixNano),
            Number(lr.severityNumber ?? 0),
            String(lr.severityText ?? ""),
            lr.body === undefined ? "" : String(jsonValue(lr.body).value),
            jsonAttributes(lr.attributes),
          ),
        );
      }
    }
  }
  return records;
}

/** The records of an uncompressed request body of `contentType`. */
export function decodeExportRequest(body: Uint8Array, contentType: string): LogRecord[] {
  try {
    if (contentType.startsWith("application/x-protobuf")) return decodeProtobuf(body);
    if (contentType.startsWith("application/json")) return decodeJson(body);
  } catch (error) {
    if (error instanceof ExporterError) throw error;
    bad(error instanceof Error ? error.message : String(error));
  }
  return bad(`unknown content type ${contentType}`);
}
