// Options of the log pipeline and their defaults (the OTEL_EXPORTER_OTLP_* variables are read by
// the configuration, src/config/env.ts).
import { ExporterError } from "../errors.ts";
import type { TenantRouting } from "../tenants/tenant-router.ts";
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
  /** Records per export request (one outbox chunk; default 500). */
  readonly batchMaxRecords?: number;
  /** Encoded bytes per export request (one outbox chunk), before compression (default 1 MiB). */
  readonly batchMaxBytes?: number;
  /** Pending records at which poll batches are refused (backpressure; default 1 000 000). */
  readonly outboxMaxRecords?: number;
  readonly compression?: "gzip" | "none";
  /**
   * Records whose timestamp is older than this when they are committed, or when their chunk is
   * due to be sent, go to the dead-letter table with reason too_old instead of being sent (Loki's
   * reject_old_samples_max_age, 7 days by default). null sends them anyway and lets the receiver
   * decide.
   */
  readonly maxRecordAgeMs?: number | null;
  /** First retry delay after a failed export (default 1 s), doubled per attempt with jitter. */
  readonly retryInitialMs?: number;
  /** Longest retry delay (default 60 s); Retry-After is honoured up to 15 minutes. */
  readonly retryMaxMs?: number;
  /** How often an idle sender looks for new records (default 1 s). */
  readonly idleCheckMs?: number;
  /**
   * Loki tenant per organization: each record's chunk is kept and sent per tenant with the
   * tenant's X-Scope-OrgID header (replacing a configured one). Null (default): one destination.
   */
  readonly tenants?: TenantRouting | null;
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
    tenants: options.tenants ?? null,
  };
}
