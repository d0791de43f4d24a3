// Writes our log records as an OTLP protobuf ExportLogsServiceRequest in one pass, byte for byte
// what the OpenTelemetry serializer writes for them (test/logs/otlp-protobuf.test.ts checks it),
// at a fraction of its cost: no size-estimating first pass, attribute keys encoded once.
import { otlpTimeUnixNano } from "./record-time.ts";
import type { Attribute, LogRecord } from "./records.ts";
import { SERVICE_NAME } from "./records.ts";

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;
/** Keys seen so far, encoded (our keys are a fixed set; a bound keeps odd ones from piling up). */
const KEY_CACHE_LIMIT = 512;

/** A growing byte buffer with the protobuf wire primitives the request needs. */
class Writer {
  buf: Buffer;
  pos = 0;
  private readonly keys = new Map<string, Buffer>();

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(Math.max(256, size));
  }

  ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** A non-negative varint below 2^32. */
  varint32(value: number): void {
    this.ensure(5);
    let v = value >>> 0;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }

  /** A varint of any integral number in the int64 range (negatives in two's complement). */
  varint64(value: number): void {
    if (value >= 0 && value <= 0xffffffff) {
      this.varint32(value);
      return;
    }
    this.ensure(10);
    const abs = Math.abs(value);
    let low = abs >>> 0;
    let high = (abs / 0x100000000) >>> 0;
    if (value < 0) {
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 0x7f) {
      this.buf[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    this.buf[this.pos++] = low & 0x7f;
  }

  fixed64(ns: bigint): void {
    this.ensure(8);
    this.buf.writeBigUInt64LE(ns, this.pos);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** A length-prefixed UTF-8 string (lone surrogates become U+FFFD, as TextEncoder does). */
  string(text: string): void {
    const length = text.length;
    if (length < 128) {
      let ascii = true;
      for (let i = 0; i < length; i++) {
        if (text.charCodeAt(i) > 127) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        this.ensure(length + 1);
        this.buf[this.pos++] = length;
        for (let i = 0; i < length; i++) this.buf[this.pos++] = text.charCodeAt(i);
        return;
      }
    }
    const bytes = Buffer.byteLength(text, "utf8");
    this.varint32(bytes);
    this.ensure(bytes);
    this.pos += this.buf.write(text, this.pos, bytes, "utf8");
  }

  /** A string written before: its encoded bytes are copied. */
  key(text: string): void {
    let encoded = this.keys.get(text);
    if (encoded === undefined) {
      const bytes = Buffer.from(text, "utf8");
      encoded = Buffer.concat([lengthPrefix(bytes.length), bytes]);
      if (this.keys.size < KEY_CACHE_LIMIT) this.keys.set(text, encoded);
    }
    this.ensure(encoded.length);
    encoded.copy(this.buf, this.pos);
    this.pos += encoded.length;
  }

  /** Reserves one byte for a length; `close` writes it and moves the body if it needs more. */
  open(): number {
    this.ensure(1);
    return this.pos++;
  }

  close(at: number): void {
    const length = this.pos - at - 1;
    if (length < 0x80) {
      this.buf[at] = length;
      return;
    }
    const prefix = lengthPrefix(length);
    this.ensure(prefix.length - 1);
    this.buf.copy(this.buf, at + prefix.length, at + 1, this.pos);
    prefix.copy(this.buf, at);
    this.pos += prefix.length - 1;
  }
}

function lengthPrefix(length: number): Buffer {
  const out: number[] = [];
  let v = length >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

/** AnyValue as the serializer writes a JavaScript value of ours: string, or integral/other number. */
function anyValue(w: Writer, value: string | number): void {
  if (typeof value === "string") {
    w.byte(0x0a); // string_value = 1
    w.string(value);
  } else if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
    w.byte(0x18); // int_value = 3
    w.varint64(value);
  } else {
    w.byte(0x21); // double_value = 4
    w.double(value);
  }
}

/**
 * The attributes as the serializer sees them: a plain object's own keys in its order (integer
 * keys first, a repeated key at its first place with its last value, `__proto__` not an own key).
 */
function attributeObject(attributes: readonly Attribute[]): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const attribute of attributes) out[attribute.key] = attribute.value.value;
  return out;
}

/**
 * A resource's attributes as the SDK's Resource hands them on: those of attributeObject, each
 * assigned with `??=` to a fresh object (so a key that object inherits, like `constructor`, drops).
 */
function resourceObject(attributes: readonly Attribute[]): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(attributeObject(attributes))) out[key] ??= value;
  return out;
}

function keyValues(w: Writer, field: number, object: Record<string, string | number>): void {
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    w.byte((field << 3) | 2);
    const kv = w.open();
    w.byte(0x0a); // key = 1
    w.key(key);
    w.byte(0x12); // value = 2
    const value = w.open();
    anyValue(w, object[key] as string | number);
    w.close(value);
    w.close(kv);
  }
}

function logRecord(w: Writer, record: LogRecord): void {
  w.byte(0x09); // time_unix_nano = 1, fixed64
  w.fixed64(otlpTimeUnixNano(record.timeUnixNano));
  if (record.severityNumber !== undefined && record.severityNumber !== 0) {
    w.byte(0x10); // severity_number = 2
    w.varint64(record.severityNumber);
  }
  if (record.severityText) {
    w.byte(0x1a); // severity_text = 3
    w.key(record.severityText);
  }
  if (record.body !== undefined) {
    w.byte(0x2a); // body = 5
    const body = w.open();
    anyValue(w, record.body);
    w.close(body);
  }
  keyValues(w, 6, attributeObject(record.attributes));
  w.byte(0x38); // dropped_attributes_count = 7
  w.byte(0);
  w.byte(0x59); // observed_time_unix_nano = 11, fixed64
  w.fixed64(otlpTimeUnixNano(record.observedTimeUnixNano));
  if (record.eventName) {
    w.byte(0x62); // event_name = 12
    w.key(record.eventName);
  }
}

/** The records grouped by equal resources, in the order each resource first appears. */
function byResource(records: readonly LogRecord[]): LogRecord[][] {
  const groups = new Map<string, LogRecord[]>();
  let lastResource: readonly Attribute[] | null = null;
  let lastGroup: LogRecord[] = [];
  for (const record of records) {
    if (record.resource !== lastResource) {
      const key = JSON.stringify(record.resource);
      let group = groups.get(key);
      if (!group) {
        group = [];
        groups.set(key, group);
      }
      lastResource = record.resource;
      lastGroup = group;
    }
    lastGroup.push(record);
  }
  return [...groups.values()];
}

/** The ExportLogsServiceRequest for the records, as the OpenTelemetry protobuf serializer writes it. */
export function encodeLogsProtobuf(records: readonly LogRecord[]): Uint8Array {
  const w = new Writer(records.length * 640);
  for (const group of byResource(records)) {
    w.byte(0x0a); // resource_logs = 1
    const resourceLogs = w.open();
    w.byte(0x0a); // resource = 1
    const resource = w.open();
    keyValues(w, 1, resourceObject((group[0] as LogRecord).resource));
    w.byte(0x10); // dropped_attributes_count = 2
    w.byte(0);
    w.close(resource);
    w.byte(0x12); // scope_logs = 2
    const scopeLogs = w.open();
    w.byte(0x0a); // scope = 1
    const scope = w.open();
    w.byte(0x0a); // name = 1
    w.key(SERVICE_NAME);
    w.close(scope);
    for (const record of group) {
      w.byte(0x12); // log_records = 2
      const at = w.open();
      logRecord(w, record);
      w.close(at);
    }
    w.close(scopeLogs);
    w.close(resourceLogs);
  }
  return new Uint8Array(w.buf.buffer, w.buf.byteOffset, w.pos);
}
