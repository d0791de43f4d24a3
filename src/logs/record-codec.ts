// The stored form of a log record (dead letters, and outbox chunks not yet encoded): canonical JSON
// that reads back to the identical record (timestamps as decimal strings, ordered attributes).
import { ExporterError } from "../errors.ts";
import type { Attribute, AttributeValue, LogRecord } from "./records.ts";

type StoredAttribute = [key: string, type: AttributeValue["type"], value: string | number];

interface StoredRecord {
  v: 1;
  key: string;
  server: string;
  eventName: string;
  time: string;
  observed: string;
  severityNumber: number;
  severityText: string;
  body: string;
  resource: StoredAttribute[];
  attributes: StoredAttribute[];
}

function storeAttributes(attributes: readonly Attribute[]): StoredAttribute[] {
  return attributes.map((a) => [a.key, a.value.type, a.value.value]);
}

/** The stored text of a record. */
export function encodeStoredRecord(record: LogRecord): string {
  const stored: StoredRecord = {
    v: 1,
    key: record.key,
    server: record.server,
    eventName: record.eventName,
    time: record.timeUnixNano.toString(),
    observed: record.observedTimeUnixNano.toString(),
    severityNumber: record.severityNumber,
    severityText: record.severityText,
    body: record.body,
    resource: storeAttributes(record.resource),
    attributes: storeAttributes(record.attributes),
  };
  return JSON.stringify(stored);
}

function bad(detail: string): never {
  throw new ExporterError("corrupt_record", `stored log record is unreadable: ${detail}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readString(object: Record<string, unknown>, field: string): string {
  const value = object[field];
  return typeof value === "string" ? value : bad(`${field} is not a string`);
}

function readAttributes(value: unknown, field: string): Attribute[] {
  if (!Array.isArray(value)) bad(`${field} is not a list`);
  return value.map((item: unknown): Attribute => {
    if (!Array.isArray(item) || item.length !== 3) bad(`${field} entry is not [key, type, value]`);
    const [key, type, raw] = item as unknown[];
    if (typeof key !== "string") bad(`${field} key is not a string`);
    if (type === "string" && typeof raw === "string") {
      return { key, value: { type, value: raw } };
    }
    if ((type === "int" || type === "double") && typeof raw === "number") {
      return { key, value: { type, value: raw } };
    }
    return bad(`${field} ${key} has an unknown type`);
  });
}

/** Reads a stored record back; throws ExporterError(corrupt_record) on anything unexpected. */
export function decodeStoredRecord(text: string): LogRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    bad("not JSON");
  }
  if (!isRecord(parsed) || parsed.v !== 1) bad("unknown version");
  const severityNumber = parsed.severityNumber;
  if (typeof severityNumber !== "number") bad("severityNumber is not a number");
  const time = readString(parsed, "time");
  const observed = readString(parsed, "observed");
  // An optional minus sign: records stored before pre-1970 times were mapped to 0 carry one.
  if (!/^-?\d+$/.test(time) || !/^-?\d+$/.test(observed)) {
    bad("timestamps are not decimal nanoseconds");
  }
  return {
    key: readString(parsed, "key"),
    server: readString(parsed, "server"),
    eventName: readString(parsed, "eventName"),
    timeUnixNano: BigInt(time),
    observedTimeUnixNano: BigInt(observed),
    severityNumber,
    severityText: readString(parsed, "severityText"),
    body: readString(parsed, "body"),
    resource: readAttributes(parsed.resource, "resource"),
    attributes: readAttributes(parsed.attributes, "attributes"),
  };
}
