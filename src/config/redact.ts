// Secrets masked for display (check-config, the landing page, logs): the shape stays, values go.
import { formatDuration } from "./duration.ts";
import type { ExporterConfig } from "./types.ts";

export const MASK = "<secret>";

const SENSITIVE_HEADER = /auth|token|key|secret|password|cookie|session/i;

/** A plain object safe to print: passwords, tokens, hashes and sensitive headers masked. */
export function redactConfig(config: ExporterConfig): Record<string, unknown> {
  const otlp = config.logs.otlp;
  return {
    source: config.source,
    web: {
      listenAddress: config.web.listenAddress,
      basicAuth: config.web.basicAuth
        ? { username: config.web.basicAuth.username, password: MASK }
        : null,
      tls: config.web.tls,
      grafana: config.web.grafana,
    },
    state: config.state,
    sharding: config.sharding,
    servers: config.servers.map((server) => ({
      ...server,
      password: MASK,
      pollInterval: formatDuration(server.pollIntervalMs),
      lookback: formatDuration(server.lookbackMs),
      timeout: formatDuration(server.timeoutMs),
    })),
    logs: {
      ...config.logs,
      otlp: {
        ...otlp,
        headers: Object.fromEntries(
          Object.entries(otlp.headers).map(([k, v]) => [k, SENSITIVE_HEADER.test(k) ? MASK : v]),
        ),
        basicAuth: otlp.basicAuth ? { username: otlp.basicAuth.username, password: MASK } : null,
        bearerToken: otlp.bearerToken === null ? null : MASK,
      },
    },
    logging: config.logging,
  };
}

/** A few human lines describing the configuration (no secrets). */
export function summarizeConfig(config: ExporterConfig): string[] {
  const lines = [
    `configuration from ${config.source}`,
    `web: listening on ${config.web.listenAddress}${config.web.tls ? " (TLS)" : ""}${
      config.web.basicAuth ? `, basic auth as ${config.web.basicAuth.username}` : ""
    }`,
    `state: ${config.state.dir}`,
  ];
  if (config.sharding.count > 1) {
    lines.push(`sharding: replica ${config.sharding.index} of ${config.sharding.count}`);
  }
  for (const s of config.servers) {
    const tls = s.tls.insecureSkipVerify
      ? ", TLS verification OFF"
      : s.tls.caFile
        ? `, CA ${s.tls.caFile}`
        : "";
    lines.push(
      `server ${s.name}: ${s.url} (API ${s.apiVersion}, user ${s.username}, password ${MASK}, poll every ${formatDuration(s.pollIntervalMs)}, lookback ${formatDuration(s.lookbackMs)}${tls})`,
    );
  }
  const otlp = config.logs.otlp;
  lines.push(
    otlp.endpoint === null
      ? "logs: no OTLP endpoint, records go to the console"
      : `logs: OTLP ${otlp.protocol} to ${otlp.endpoint}`,
  );
  return lines;
}
