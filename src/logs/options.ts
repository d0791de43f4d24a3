// Options of the log pipeline, their defaults, and the OTEL_EXPORTER_OTLP_* environment variables.
import { ExporterError } from "../errors.ts";
import type { OtlpProtocol } from "./otlp-encode.ts";

export interface LogsOptions {
  /** Full logs URL, e.g. http://loki:3100/otlp/v1/logs; null writes readable lines to stdout. */
  readonly endpoint: string | null;
  readonly protocol: OtlpProtocol;
  /** Extra request headers, e.g. X-Scope-OrgID for a multi-tenant Loki. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly basicAuth?: { readonly username: string; readonly password: string } | null;
  readonly bearerToken?: string | null;
  readonly tls?: { readonly caFile?: string | null; readonly insecureSkipVerify?: boolean };
  /** Longest one export request may take, connect to last response byte (default 10 s). */
  readonly timeoutMs?: number;
  /** Records per export request (default 500). */
  readonly batchMaxRecords?: number;
  /** Stored bytes per export request, before compression (default 1 MiB). */
  readonly batchMaxBytes?: number;
  /** Pending records at which poll batches are refused (backpressure; default 1 000 000). */
  readonly outboxMaxRecords?: number;
  readonly compression?: "gzip" | "none";
  /**
   * Records whose timestamp is older than this when they are due to be sent go to the dead-letter
   * table with reason too_old instead of being sent (Loki's reject_old_samples_max_age, 7 days by
   * default). null sends them anyway and lets the receiver decide.
   */
  readonly maxRecordAgeMs?: number | null;
  /** First retry delay after a failed export (default 1 s), doubled per attempt with jitter. */
  readonly retryInitialMs?: number;
  /** Longest retry delay (default 60 s); Retry-After is honoured up to 15 minutes. */
  readonly retryMaxMs?: number;
  /** How often an idle sender looks for new records (default 1 s). */
  readonly idleCheckMs?: number;
}

export type ResolvedLogsOptions = Required<LogsOptions>;

export const LOGS_DEFAULTS = {
  protocol: "http/protobuf",
  timeoutMs: 10_000,
  batchMaxRecords: 500,
  batchMaxBytes: 1_048_576,
  outboxMaxRecords: 1_000_000,
  compression: "gzip",
  maxRecordAgeMs: 7 * 24 * 3_600_000,
  retryInitialMs: 1_000,
  retryMaxMs: 60_000,
  idleCheckMs: 1_000,
} as const;

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ExporterError("bad_config", `logs option ${name} must be a positive number`);
  }
  return value;
}

/** Every option filled with its default and checked. */
export function resolveLogsOptions(options: LogsOptions): ResolvedLogsOptions {
  if (options.endpoint !== null) {
    let url: URL;
    try {
      url = new URL(options.endpoint);
    } catch {
      throw new ExporterError("bad_config", "the OTLP logs endpoint is not a valid URL");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ExporterError("bad_config", "the OTLP logs endpoint must be an http or https URL");
    }
    if (url.username !== "" || url.password !== "") {
      throw new ExporterError(
        "bad_config",
        "the OTLP logs endpoint must not contain credentials; use basic auth or a bearer token",
      );
    }
  }
  return {
    endpoint: options.endpoint,
    protocol: options.protocol,
    headers: options.headers ?? {},
    basicAuth: options.basicAuth ?? null,
    bearerToken: options.bearerToken ?? null,
    tls: options.tls ?? {},
    timeoutMs: positive("timeoutMs", options.timeoutMs ?? LOGS_DEFAULTS.timeoutMs),
    batchMaxRecords: positive(
      "batchMaxRecords",
      options.batchMaxRecords ?? LOGS_DEFAULTS.batchMaxRecords,
    ),
    batchMaxBytes: positive("batchMaxBytes", options.batchMaxBytes ?? LOGS_DEFAULTS.batchMaxBytes),
    outboxMaxRecords: positive(
      "outboxMaxRecords",
      options.outboxMaxRecords ?? LOGS_DEFAULTS.outboxMaxRecords,
    ),
    compression: options.compression ?? LOGS_DEFAULTS.compression,
    maxRecordAgeMs:
      options.maxRecordAgeMs === undefined ? LOGS_DEFAULTS.maxRecordAgeMs : options.maxRecordAgeMs,
    retryInitialMs: positive(
      "retryInitialMs",
      options.retryInitialMs ?? LOGS_DEFAULTS.retryInitialMs,
    ),
    retryMaxMs: positive("retryMaxMs", options.retryMaxMs ?? LOGS_DEFAULTS.retryMaxMs),
    idleCheckMs: positive("idleCheckMs", options.idleCheckMs ?? LOGS_DEFAULTS.idleCheckMs),
  };
}

export type Env = Readonly<Record<string, string | undefined>>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** The signal-specific variable, else the generic one (OpenTelemetry exporter convention). */
function pick(env: Env, suffix: string): [name: string, value: string] | undefined {
  for (const name of [`OTEL_EXPORTER_OTLP_LOGS_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`]) {
    const value = read(env, name);
    if (value !== undefined) return [name, value];
  }
  return undefined;
}

/** `key1=value1,key2=value2` with percent-encoded values (W3C baggage style, as the spec says). */
export function parseOtlpHeaders(name: string, text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const part of text.split(",")) {
    if (part.trim() === "") continue;
    const at = part.indexOf("=");
    const key = at < 0 ? "" : part.slice(0, at).trim();
    if (key === "" || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) {
      throw new ExporterError("bad_config", `${name}: expected comma-separated key=value pairs`);
    }
    let value = part.slice(at + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // Not percent-encoded after all: keep the text as written.
    }
    headers[key] = value;
  }
  return headers;
}

/**
 * LogsOptions from the OTEL_EXPORTER_OTLP_LOGS_* variables (falling back to the generic
 * OTEL_EXPORTER_OTLP_* ones; a generic endpoint is a base URL to which /v1/logs is appended).
 * As in the OpenTelemetry SDKs, explicit configuration wins: every key set in `base` (including
 * `endpoint: null`, which asks for the console) overrides the environment; headers are merged,
 * base headers winning. Supported: ENDPOINT, HEADERS, PROTOCOL (http/protobuf, http/json),
 * TIMEOUT (milliseconds), COMPRESSION (gzip, none), CERTIFICATE (CA file).
 */
export function logsOptionsFromEnv(env: Env, base: Partial<LogsOptions> = {}): LogsOptions {
  let endpoint: string | null = null;
  const logsEndpoint = read(env, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");
  const genericEndpoint = read(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  if (logsEndpoint !== undefined) endpoint = logsEndpoint;
  else if (genericEndpoint !== undefined) {
    endpoint = `${genericEndpoint.replace(/\/+$/, "")}/v1/logs`;
  }

  let protocol: OtlpProtocol = LOGS_DEFAULTS.protocol;
  const protocolVar = pick(env, "PROTOCOL");
  if (protocolVar) {
    if (protocolVar[1] !== "http/protobuf" && protocolVar[1] !== "http/json") {
      throw new ExporterError(
        "bad_config",
        `${protocolVar[0]}: ${protocolVar[1]} is not supported; use http/protobuf or http/json`,
      );
    }
    protocol = protocolVar[1];
  }

  const headers: Record<string, string> = {};
  for (const name of ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_LOGS_HEADERS"]) {
    const value = read(env, name);
    if (value !== undefined) Object.assign(headers, parseOtlpHeaders(name, value));
  }

  const fromEnv: {
    timeoutMs?: number;
    compression?: "gzip" | "none";
    tls?: { caFile: string };
  } = {};
  const timeoutVar = pick(env, "TIMEOUT");
  if (timeoutVar) {
    if (!/^\d+$/.test(timeoutVar[1]) || Number(timeoutVar[1]) <= 0) {
      throw new ExporterError("bad_config", `${timeoutVar[0]}: expected milliseconds, e.g. 10000`);
    }
    fromEnv.timeoutMs = Number(timeoutVar[1]);
  }
  const compressionVar = pick(env, "COMPRESSION");
  if (compressionVar) {
    if (compressionVar[1] !== "gzip" && compressionVar[1] !== "none") {
      throw new ExporterError("bad_config", `${compressionVar[0]}: expected gzip or none`);
    }
    fromEnv.compression = compressionVar[1];
  }
  const certificateVar = pick(env, "CERTIFICATE");
  if (certificateVar) fromEnv.tls = { caFile: certificateVar[1] };

  const defined = Object.fromEntries(
    Object.entries(base).filter(([, value]) => value !== undefined),
  ) as Partial<LogsOptions>;
  return {
    endpoint,
    protocol,
    ...fromEnv,
    ...defined,
    headers: { ...headers, ...(base.headers ?? {}) },
  };
}
