// Every environment variable the configuration reads, in one list: the serve command's usage text
// is written from it, and a test holds src/config/env.ts and the README's table to it.

export interface EnvVariable {
  readonly name: string;
  /** What it sets, in a few words. */
  readonly meaning: string;
}

export const ENV_VARIABLES: readonly EnvVariable[] = [
  { name: "VBO_URL", meaning: "the VBO server's REST API base URL (single server, no file)" },
  { name: "VBO_USERNAME", meaning: "the account the exporter logs in with" },
  { name: "VBO_PASSWORD", meaning: "its password" },
  { name: "VBO_PASSWORD_FILE", meaning: "or a file holding it" },
  { name: "VBO_API_VERSION", meaning: "v6, v7, v8 or auto" },
  { name: "VBO_CA_FILE", meaning: "PEM CA bundle to trust for VBO's certificate" },
  { name: "VBO_INSECURE_SKIP_VERIFY", meaning: "true skips certificate checks (lab only)" },
  { name: "VBO_SERVER_NAME", meaning: "the server label (default: the URL's host)" },
  { name: "VBO_POLL_INTERVAL", meaning: "poll interval (60s)" },
  { name: "VBO_LOOKBACK", meaning: "how far back the first poll reads (7d)" },
  { name: "VBO_TIMEOUT", meaning: "per-request timeout (30s)" },
  { name: "VBO_PAGE_SIZE", meaning: "page size asked of VBO" },
  { name: "VBO_EVENT_CONCURRENCY", meaning: "concurrent event fetches (4)" },
  { name: "VBO_CLIENT_HOST_LIMIT", meaning: "distinct client_host values before other (500)" },
  { name: "VBO_DROP_CLIENT_HOST_LABEL", meaning: "true drops client_host from metrics" },
  { name: "VBO_LABEL_MAX_LENGTH", meaning: "longest label value taken from VBO (128)" },
  { name: "WEB_LISTEN_ADDRESS", meaning: "where the web endpoints listen (:9853)" },
  { name: "STATE_DIR", meaning: "the state directory (./data)" },
  { name: "LOG_LEVEL", meaning: "the exporter's log level (info)" },
  { name: "GRAFANA_URL", meaning: "Grafana for the landing page's Explore links" },
  { name: "LOGS_TENANTS_DEFAULT", meaning: "Loki tenant of records of unmapped organizations" },
  { name: "LOGS_TENANTS_PER_ORGANIZATION", meaning: "true: one Loki tenant per organization" },
  { name: "SHARD_INDEX", meaning: "this replica's shard (from 0)" },
  { name: "SHARD_COUNT", meaning: "how many replicas share the server list" },
  { name: "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", meaning: "where the audit log goes (OTLP/HTTP)" },
  { name: "OTEL_EXPORTER_OTLP_ENDPOINT", meaning: "or a base URL (+ /v1/logs)" },
  { name: "OTEL_EXPORTER_OTLP_HEADERS", meaning: "headers, e.g. X-Scope-OrgID=tenant" },
  { name: "OTEL_EXPORTER_OTLP_LOGS_HEADERS", meaning: "headers for logs only (win)" },
  { name: "OTEL_EXPORTER_OTLP_PROTOCOL", meaning: "http/protobuf or http/json (also _LOGS_)" },
  { name: "OTEL_EXPORTER_OTLP_TIMEOUT", meaning: "export timeout in ms (also _LOGS_)" },
  { name: "OTEL_EXPORTER_OTLP_COMPRESSION", meaning: "gzip or none (also _LOGS_)" },
  { name: "OTEL_EXPORTER_OTLP_CERTIFICATE", meaning: "PEM CA for the receiver (also _LOGS_)" },
];

/** The variables as the usage text lists them: names wrapped at `width` columns. */
export function envVariableList(width = 100): string {
  const lines: string[] = [];
  let line = "";
  for (const { name } of ENV_VARIABLES) {
    const next = line === "" ? name : `${line}, ${name}`;
    if (next.length > width && line !== "") {
      lines.push(`${line},`);
      line = name;
    } else line = next;
  }
  if (line !== "") lines.push(`${line}.`);
  return lines.join("\n");
}
