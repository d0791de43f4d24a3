// The environment as a configuration layer: VBO_* for the single-server case, WEB_/STATE_/SHARD_
// settings, GRAFANA_URL and the OpenTelemetry OTEL_EXPORTER_OTLP_* variables, in the file's shape.
import {
  BAD_HEADER_NAME,
  BAD_HEADER_VALUE,
  isHeaderName,
  isHeaderValue,
  mergeHeaders,
} from "./http-header.ts";
import type { Env } from "./interpolate.ts";
import { formatKeyPath, type KeyPath } from "./key-path.ts";

export interface EnvLayer {
  /** A partial configuration in the file's shape. */
  readonly raw: Record<string, unknown>;
  /** Formatted key path → the variable that set it (for error messages). */
  readonly origins: ReadonlyMap<string, string>;
  readonly errors: readonly { readonly variable: string; readonly message: string }[];
}

/** A variable's value; empty counts as unset (as compose files often leave them). */
function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value;
}

function setAt(target: Record<string, unknown>, path: KeyPath, value: unknown): void {
  let node: Record<string, unknown> | unknown[] = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string | number;
    const nextKey = path[i + 1];
    const container = node as Record<string | number, unknown>;
    if (container[key] === undefined) container[key] = typeof nextKey === "number" ? [] : {};
    node = container[key] as Record<string, unknown>;
  }
  (node as Record<string | number, unknown>)[path[path.length - 1] as string | number] = value;
}

/**
 * `k1=v1,k2=v2` with percent-encoded values, as the OpenTelemetry spec defines the headers; a
 * later pair replaces an earlier one naming the same header in any letter case.
 */
export function parseOtelHeaders(text: string): Record<string, string> | null {
  let headers: Record<string, string> = {};
  for (const pair of text.split(",")) {
    if (pair.trim() === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) return null;
    try {
      const name = decodeURIComponent(pair.slice(0, eq).trim());
      headers = mergeHeaders(headers, { [name]: decodeURIComponent(pair.slice(eq + 1).trim()) });
    } catch {
      return null;
    }
  }
  return headers;
}

/**
 * Why a decoded header list cannot be sent, or null. Names only the header, never its value
 * (values are often credentials); an invalid name is not echoed either (it may be a misplaced one).
 */
function headerProblem(headers: Readonly<Record<string, string>>): string | null {
  for (const [name, value] of Object.entries(headers)) {
    if (!isHeaderName(name)) return `a header name ${BAD_HEADER_NAME}`;
    if (!isHeaderValue(value)) return `header ${name} ${BAD_HEADER_VALUE}`;
  }
  return null;
}

const SERVER_VARS: readonly (readonly [string, string])[] = [
  ["VBO_SERVER_NAME", "name"],
  ["VBO_URL", "url"],
  ["VBO_API_VERSION", "apiVersion"],
  ["VBO_USERNAME", "username"],
  ["VBO_PASSWORD", "password"],
  ["VBO_PASSWORD_FILE", "passwordFile"],
  ["VBO_POLL_INTERVAL", "pollInterval"],
  ["VBO_LOOKBACK", "lookback"],
  ["VBO_TIMEOUT", "timeout"],
  ["VBO_EVENT_CONCURRENCY", "eventConcurrency"],
  ["VBO_CLIENT_HOST_LIMIT", "clientHostLimit"],
  ["VBO_LABEL_MAX_LENGTH", "labelMaxLength"],
  ["VBO_DROP_CLIENT_HOST_LABEL", "dropClientHostLabel"],
  ["VBO_PAGE_SIZE", "pageSize"],
];

/** The configuration the environment describes (missing keys stay missing). */
export function envLayer(env: Env, resolvePath: (path: string) => string = (p) => p): EnvLayer {
  const raw: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  const errors: { variable: string; message: string }[] = [];
  const put = (variable: string, path: KeyPath, value: unknown) => {
    setAt(raw, path, value);
    origins.set(formatKeyPath(path), variable);
  };
  const simple = (variable: string, path: KeyPath, isPath = false) => {
    const value = read(env, variable);
    if (value !== undefined) put(variable, path, isPath ? resolvePath(value) : value);
  };

  simple("WEB_LISTEN_ADDRESS", ["web", "listenAddress"]);
  simple("GRAFANA_URL", ["web", "grafana", "url"]);
  simple("STATE_DIR", ["state", "dir"], true);
  simple("LOG_LEVEL", ["logging", "level"]);
  simple("LOGS_TENANTS_DEFAULT", ["logs", "tenants", "default"]);
  simple("LOGS_TENANTS_PER_ORGANIZATION", ["logs", "tenants", "perOrganization"]);
  const shardIndex = read(env, "SHARD_INDEX");
  const shardCount = read(env, "SHARD_COUNT");
  if (shardIndex !== undefined || shardCount !== undefined) {
    put("SHARD_INDEX", ["sharding", "index"], shardIndex);
    put("SHARD_COUNT", ["sharding", "count"], shardCount);
  }

  const url = read(env, "VBO_URL");
  if (url !== undefined) {
    let name = read(env, "VBO_SERVER_NAME");
    if (name === undefined) {
      try {
        name = new URL(url).hostname.replace(/^\[|\]$/g, "");
      } catch {
        name = "vbo";
      }
    }
    for (const [variable, key] of SERVER_VARS) {
      origins.set(formatKeyPath(["servers", 0, key]), variable);
      let value = key === "name" ? name : read(env, variable);
      if (value !== undefined && key === "passwordFile") value = resolvePath(value);
      if (value !== undefined) setAt(raw, ["servers", 0, key], value);
    }
    const tlsVars = [
      ["VBO_CA_FILE", "caFile"],
      ["VBO_INSECURE_SKIP_VERIFY", "insecureSkipVerify"],
    ] as const;
    for (const [variable, key] of tlsVars) {
      origins.set(formatKeyPath(["servers", 0, "tls", key]), variable);
      const value = read(env, variable);
      const resolved = value !== undefined && key === "caFile" ? resolvePath(value) : value;
      if (resolved !== undefined) setAt(raw, ["servers", 0, "tls", key], resolved);
    }
  }

  // OpenTelemetry: the logs-specific variable wins over the generic one.
  const pick = (suffix: string): [string, string] | undefined => {
    for (const variable of [`OTEL_EXPORTER_OTLP_LOGS_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`]) {
      const value = read(env, variable);
      if (value !== undefined) return [variable, value];
    }
    return undefined;
  };
  const logsEndpoint = read(env, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");
  const baseEndpoint = read(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  if (logsEndpoint !== undefined) {
    put("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", ["logs", "otlp", "endpoint"], logsEndpoint);
  } else if (baseEndpoint !== undefined) {
    // The generic endpoint is a base URL: the signal path is appended (OTLP exporter spec).
    put(
      "OTEL_EXPORTER_OTLP_ENDPOINT",
      ["logs", "otlp", "endpoint"],
      `${baseEndpoint.replace(/\/+$/, "")}/v1/logs`,
    );
  }
  const protocol = pick("PROTOCOL");
  if (protocol) {
    if (protocol[1] === "grpc") {
      errors.push({
        variable: protocol[0],
        message: "grpc is not supported; use http/protobuf or http/json",
      });
    } else put(protocol[0], ["logs", "otlp", "protocol"], protocol[1]);
  }
  // The logs-specific list wins, header by header, names compared case-insensitively.
  let headers: Record<string, { value: string; variable: string }> = {};
  for (const variable of ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_LOGS_HEADERS"]) {
    const value = read(env, variable);
    if (value === undefined) continue;
    const parsed = parseOtelHeaders(value);
    if (parsed === null) {
      errors.push({ variable, message: "expected comma-separated key=value pairs" });
      continue;
    }
    const problem = headerProblem(parsed);
    if (problem !== null) {
      errors.push({ variable, message: problem });
      continue;
    }
    const entries = Object.entries(parsed).map(([name, v]) => [name, { value: v, variable }]);
    headers = mergeHeaders(headers, Object.fromEntries(entries));
  }
  if (Object.keys(headers).length > 0) {
    for (const [name, { variable }] of Object.entries(headers)) {
      origins.set(formatKeyPath(["logs", "otlp", "headers", name]), variable);
    }
    const values = Object.entries(headers).map(([name, { value }]) => [name, value]);
    setAt(raw, ["logs", "otlp", "headers"], Object.fromEntries(values));
  }
  const timeout = pick("TIMEOUT");
  if (timeout) {
    // OTEL_*_TIMEOUT is in milliseconds.
    const value = /^\d+$/.test(timeout[1].trim()) ? `${timeout[1].trim()}ms` : timeout[1];
    put(timeout[0], ["logs", "otlp", "timeout"], value);
  }
  const certificate = pick("CERTIFICATE");
  if (certificate) {
    put(certificate[0], ["logs", "otlp", "tls", "caFile"], resolvePath(certificate[1]));
  }
  const compression = pick("COMPRESSION");
  if (compression) put(compression[0], ["logs", "otlp", "compression"], compression[1]);

  return { raw, origins, errors };
}

/** True when the environment asks for the single-server case. */
export function envHasServer(env: Env): boolean {
  return read(env, "VBO_URL") !== undefined;
}
