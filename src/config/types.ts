// The validated configuration the rest of the exporter receives: every default filled, every
// secret file read, durations in milliseconds, paths absolute.
import type { LocalWatchEntry } from "../audit/local-entries.ts";
import type { LogLevel } from "../logger.ts";
import type { LabelLimits } from "../pipeline/labels.ts";
import type { TenantRouting } from "../tenants/tenant-router.ts";
import type { ApiVersion } from "../vbo/types.ts";

export interface TlsClientConfig {
  /** PEM file with the CA(s) to trust instead of the system store. */
  readonly caFile: string | null;
  /** Disables certificate verification (lab use only; logged as a warning at start). */
  readonly insecureSkipVerify: boolean;
}

export interface BatchLimits {
  readonly maxEvents: number;
  /** Estimated bytes of the events held for the batch. */
  readonly maxBytes: number;
  /** A safety cap on sessions per batch (sessions without events cost a row each too). */
  readonly maxSessions: number;
}

export interface ServerConfig {
  /** The `server` label and the `vbo.server` resource attribute. */
  readonly name: string;
  /** Base URL without a trailing slash and without credentials. */
  readonly url: string;
  readonly apiVersion: ApiVersion | "auto";
  readonly username: string;
  /** The password, read from passwordFile when that was configured. */
  readonly password: string;
  readonly passwordFile: string | null;
  readonly tls: TlsClientConfig;
  readonly pollIntervalMs: number;
  /** How far back the very first poll reads. */
  readonly lookbackMs: number;
  /** Per-request timeout towards VBO. */
  readonly timeoutMs: number;
  /** Bound on concurrent per-session event fetches. */
  readonly eventConcurrency: number;
  /** How far before the cursor each poll reads again. */
  readonly overlapMs: number;
  /** Width of the time slices a long range is listed in. */
  readonly sliceMs: number;
  /** Bounds of one commit (one transaction with the log outbox). */
  readonly batch: BatchLimits;
  /** When an ended session whose unreadable events stay unreadable is finished without them. */
  readonly unreadableGiveUp: { readonly reads: number; readonly afterMs: number };
  /** Distinct client_host label values per server before overflow goes to `other`. */
  readonly clientHostLimit: number;
  /** Most characters of a metric label value taken from VBO; longer ones end in `~` and a hash. */
  readonly labelMaxLength: number;
  /** Distinct values per label (organization, restore_type, ...) before the rest count as `other`. */
  readonly labelLimits: LabelLimits;
  /** Drops the client_host label from metrics entirely (log records keep it). */
  readonly dropClientHostLabel: boolean;
  /** Page size asked of VBO; null lets the client choose. */
  readonly pageSize: number | null;
  /** Whose data is watched: VBO's audit items (read every refreshIntervalMs) and local entries. */
  readonly watchlist: {
    readonly fromVbo: boolean;
    readonly refreshIntervalMs: number;
    readonly subjects: readonly LocalWatchEntry[];
  };
}

export type WebBasicAuth =
  | { readonly username: string; readonly password: string; readonly passwordHash: null }
  | { readonly username: string; readonly password: null; readonly passwordHash: string };

/** A web user who sees only some organizations (a service provider's customer). */
export interface WebTenantUser {
  readonly username: string;
  readonly passwordHash: string;
  /** Organization names exactly as the `organization` label has them. */
  readonly organizations: readonly string[];
}

export interface WebConfig {
  /** As written, e.g. `:9853` or `127.0.0.1:0`. */
  readonly listenAddress: string;
  /** Undefined means every interface. */
  readonly host: string | undefined;
  readonly port: number;
  readonly basicAuth: WebBasicAuth | null;
  /** Users bound to organizations (web.tenants); web.basicAuth is the provider's own user. */
  readonly tenants: readonly WebTenantUser[];
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  /** Where the landing page links to the audit log in Grafana Explore; null hides the links. */
  readonly grafana: { readonly url: string; readonly lokiDatasource: string } | null;
  /**
   * How long a restore counter's label set first counted live is exposed at 0 before its value,
   * so every scraper sees the 0 and increase() counts the first restore (more than one scrape).
   */
  readonly newSeriesHoldMs: number;
}

export type OtlpProtocol = "http/protobuf" | "http/json";

export interface OtlpConfig {
  /** Full logs URL (e.g. http://loki:3100/otlp/v1/logs); null writes records to the console. */
  readonly endpoint: string | null;
  readonly protocol: OtlpProtocol;
  readonly headers: Readonly<Record<string, string>>;
  readonly basicAuth: { readonly username: string; readonly password: string } | null;
  readonly bearerToken: string | null;
  readonly tls: TlsClientConfig;
  readonly timeoutMs: number;
  readonly compression: "gzip" | "none";
}

export interface LogsConfig {
  readonly otlp: OtlpConfig;
  readonly outbox: { readonly maxRecords: number };
  /**
   * Records older than this when due to be sent are dead-lettered (reason too_old) instead of
   * being sent: Loki rejects entries older than reject_old_samples_max_age (7 days by default).
   */
  readonly maxRecordAgeMs: number;
  readonly batch: { readonly maxRecords: number; readonly maxBytes: number };
  /** Loki tenant per organization (X-Scope-OrgID per record); null sends every record alike. */
  readonly tenants: TenantRouting | null;
}

export interface ShardingConfig {
  /** This replica's index, 0 ≤ index < count. */
  readonly index: number;
  readonly count: number;
}

export interface ExporterConfig {
  /** Where the configuration came from: the file name, or `environment`. */
  readonly source: string;
  readonly web: WebConfig;
  readonly state: { readonly dir: string };
  readonly servers: readonly ServerConfig[];
  readonly sharding: ShardingConfig;
  readonly logs: LogsConfig;
  /** How long the feed of watched accesses (/api/v1/audit/accesses) keeps an entry. */
  readonly audit: { readonly feedRetentionMs: number };
  readonly logging: { readonly level: LogLevel };
}

/** Values from command-line flags; they win over the file and the environment. */
export interface ConfigOverrides {
  readonly listenAddress?: string;
  readonly stateDir?: string;
  readonly logLevel?: string;
}

export type ConfigResult =
  | {
      readonly ok: true;
      readonly config: ExporterConfig;
      /** Settings that work but probably not as meant, one sentence each (file order). */
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly errors: readonly string[] };
