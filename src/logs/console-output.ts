// Readable one-line rendering of log records for the console output (no OTLP endpoint configured).
import { effectiveTimeUnixNano } from "./record-time.ts";
import type { AttributeValue, LogRecord } from "./records.ts";

/** RFC 3339 UTC with all nine fractional digits, from nanoseconds since the epoch. */
export function formatNanos(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const iso = new Date(ms).toISOString(); // 2022-02-02T15:59:09.768Z
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, "0");
  return `${iso.slice(0, 19)}.${fraction}Z`;
}

function formatValue(value: AttributeValue): string {
  if (value.type !== "string") return String(value.value);
  return /^[^\s"=]+$/.test(value.value) ? value.value : JSON.stringify(value.value);
}

/** `<time> <SEVERITY> <event name> [server] <body> | key=value ...` */
export function formatConsoleLine(record: LogRecord): string {
  const attributes = record.attributes
    .map((attribute) => `${attribute.key}=${formatValue(attribute.value)}`)
    .join(" ");
  const body = record.body.replace(/\r?\n/g, " ");
  return `${formatNanos(effectiveTimeUnixNano(record))} ${record.severityText.padEnd(5)} ${record.eventName} [${record.server}] ${body} | ${attributes}`;
}
