// Encodes stored log records as an OTLP ExportLogsServiceRequest (protobuf with our own writer of
// the serializer's bytes, JSON with the OpenTelemetry JS serializer), and decodes the receiver's
// ExportLogsServiceResponse.
import type { Attributes, HrTime } from "@opentelemetry/api";
import type { LogAttributes } from "@opentelemetry/api-logs";
import {
  type IExportLogsServiceResponse,
  JsonLogsSerializer,
  ProtobufLogsSerializer,
} from "@opentelemetry/otlp-transformer";
import { type Resource, resourceFromAttributes } from "@opentelemetry/resources";
import type { ReadableLogRecord } from "@opentelemetry/sdk-logs";
import { encodeLogsProtobuf } from "./otlp-protobuf.ts";
import { otlpTimeUnixNano } from "./record-time.ts";
import type { Attribute, LogRecord } from "./records.ts";
import { SERVICE_NAME } from "./records.ts";

export type OtlpProtocol = "http/protobuf" | "http/json";

export const CONTENT_TYPES: Readonly<Record<OtlpProtocol, string>> = {
  "http/protobuf": "application/x-protobuf",
  "http/json": "application/json",
};

/** The instrumentation scope of every record: fixed, so replays after an upgrade stay identical. */
const SCOPE = { name: SERVICE_NAME };

function hrTime(ns: bigint): HrTime {
  return [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
}

/**
 * Attributes as the SDK carries them. JavaScript numbers have no int/double distinction, so the
 * serializer sends integral numbers as intValue and the rest as doubleValue: a double attribute
 * that happens to be whole (a duration of exactly 0 or 2 s) goes out as an int. Loki stores both
 * as the same text, so LogQL filters such as `vbo_event_duration_seconds > 1` are unaffected.
 */
function toAttributes(attributes: readonly Attribute[]): LogAttributes {
  const out: LogAttributes = {};
  for (const attribute of attributes) out[attribute.key] = attribute.value.value;
  return out;
}

/** ReadableLogRecords for the serializer; records with equal resources share one Resource. */
export function toReadableLogRecords(records: readonly LogRecord[]): ReadableLogRecord[] {
  const resources = new Map<string, Resource>();
  return records.map((record) => {
    const resourceKey = JSON.stringify(record.resource);
    let resource = resources.get(resourceKey);
    if (!resource) {
      const attributes: Attributes = {};
      for (const attribute of record.resource) attributes[attribute.key] = attribute.value.value;
      resource = resourceFromAttributes(attributes);
      resources.set(resourceKey, resource);
    }
    return {
      // Records stored before pre-1970 times were mapped to 0 may still hold a negative time.
      hrTime: hrTime(otlpTimeUnixNano(record.timeUnixNano)),
      hrTimeObserved: hrTime(otlpTimeUnixNano(record.observedTimeUnixNano)),
      severityNumber: record.severityNumber,
      severityText: record.severityText,
      body: record.body,
      eventName: record.eventName,
      resource,
      instrumentationScope: SCOPE,
      attributes: toAttributes(record.attributes),
      droppedAttributesCount: 0,
    };
  });
}

/** The request body (uncompressed) for the protocol. */
export function encodeExportRequest(
  records: readonly LogRecord[],
  protocol: OtlpProtocol,
): Uint8Array {
  // Our own writer for the protobuf request: the same bytes as the serializer's, several times faster.
  if (protocol === "http/protobuf") return encodeLogsProtobuf(records);
  return encodeWithSerializer(records, protocol);
}

/** The request body written by the OpenTelemetry serializers (JSON, and the protobuf reference). */
export function encodeWithSerializer(
  records: readonly LogRecord[],
  protocol: OtlpProtocol,
): Uint8Array {
  const readable = toReadableLogRecords(records);
  const serializer = protocol === "http/json" ? JsonLogsSerializer : ProtobufLogsSerializer;
  const body = serializer.serializeRequest(readable);
  if (body === undefined) throw new Error("the OTLP serializer produced no request body");
  return body;
}

/** The partial-success part of a response body, or null when there is none or it is unreadable. */
export function decodePartialSuccess(
  body: Uint8Array,
  contentType: string,
): { rejectedLogRecords: number; errorMessage: string } | null {
  if (body.length === 0) return null;
  let response: IExportLogsServiceResponse;
  try {
    response = contentType.includes("json")
      ? JsonLogsSerializer.deserializeResponse(body)
      : contentType.includes("protobuf")
        ? ProtobufLogsSerializer.deserializeResponse(body)
        : {};
  } catch {
    return null;
  }
  const partial = response.partialSuccess;
  if (!partial) return null;
  const rejected = Number(partial.rejectedLogRecords ?? 0);
  const message = partial.errorMessage ?? "";
  if (rejected <= 0 && message === "") return null;
  return { rejectedLogRecords: rejected, errorMessage: message };
}
