// Secrets masked for display (check-config, the landing page, logs): the shape stays, values go.
import { formatDuration } from "./duration.ts";
import type { ExporterConfig } from "./types.ts";

export const MASK = "<secret>";

const SENSITIVE_HEADER = /auth|token|key|secret|password|cookie|session/i;

/**
 * The configuration in the file's own shape, every default written out and every secret masked:
 * what `check-config --show` prints, a configuration to copy once the masks are replaced.
 */
export function redactConfig(config: ExporterConfig): Record<string, unknown> {
  const otlp = config.logs.otlp;
  const web = config.web;
  return {
    web: {
      listenAddress: web.listenAddress,
      newSeriesHold: formatDuration(web.newSeriesHoldMs),
      ...(web.basicAuth
        ? {
            basicAuth:
              web.basicAuth.passwordHash === null
                ? { username: web.basicAuth.username, password: MASK }
                : { username: web.basicAuth.username, passwordHash: MASK },
          }
        : {}),
      ...(web.tenants.length > 0
        ? {
            tenants: web.tenants.map((t) => ({
              username: t.username,
              passwordHash: MASK,
              organizations: [...t.organizations],
            })),
          }
        : {}),
      ...(web.tls ? { tls: { certFile: web.tls.certFile, keyFile: web.tls.keyFile } } : {}),
      ...(web.grafana
        ? { grafana: { url: web.grafana.url, lokiDatasource: web.grafana.lokiDatasource } }
        : {}),
    },
    state: { dir: config.state.dir },
    servers: config.servers.map((server) => ({
      name: server.name,
      url: server.url,
      apiVersion: server.apiVersion,
      username: server.username,
      ...(server.passwordFile === null
        ? { password: MASK }
        : { passwordFile: server.passwordFile }),
      tls: {
        ...(server.tls.caFile === null ? {} : { caFile: server.tls.caFile }),
        insecureSkipVerify: server.tls.insecureSkipVerify,
      },
      pollInterval: formatDuration(server.pollIntervalMs),
      lookback: formatDuration(server.lookbackMs),
      timeout: formatDuration(server.timeoutMs),
      eventConcurrency: server.eventConcurrency,
      batchMaxEvents: server.batch.maxEvents,
      batchMaxBytes: server.batch.maxBytes,
      clientHostLimit: server.clientHostLimit,
      labelMaxLength: server.labelMaxLength,
      labelLimits: {
        organization: server.labelLimits.organization,
        restoreType: server.labelLimits.restore_type,
        eventType: server.labelLimits.event_type,
        status: server.labelLimits.status,
        result: server.labelLimits.result,
        subject: server.labelLimits.subject,
      },
      dropClientHostLabel: server.dropClientHostLabel,
      ...(server.pageSize === null ? {} : { pageSize: server.pageSize }),
      watchlist: {
        fromVbo: server.watchlist.fromVbo,
        refreshInterval: formatDuration(server.watchlist.refreshIntervalMs),
        subjects: server.watchlist.subjects.map((entry) =>
          entry.organization === null
            ? Object.fromEntries(Object.entries(entry).filter(([k]) => k !== "organization"))
            : entry,
        ),
      },
    })),
    sharding: { index: config.sharding.index, count: config.sharding.count },
    logs: {
      otlp: {
        ...(otlp.endpoint === null ? {} : { endpoint: otlp.endpoint }),
        protocol: otlp.protocol,
        headers: Object.fromEntries(
          Object.entries(otlp.headers).map(([k, v]) => [k, SENSITIVE_HEADER.test(k) ? MASK : v]),
        ),
        ...(otlp.basicAuth
          ? { basicAuth: { username: otlp.basicAuth.username, password: MASK } }
          : {}),
        ...(otlp.bearerToken === null ? {} : { bearerToken: MASK }),
        tls: {
          ...(otlp.tls.caFile === null ? {} : { caFile: otlp.tls.caFile }),
          insecureSkipVerify: otlp.tls.insecureSkipVerify,
        },
        timeout: formatDuration(otlp.timeoutMs),
        compression: otlp.compression,
      },
      outbox: { maxRecords: config.logs.outbox.maxRecords },
      maxRecordAge: formatDuration(config.logs.maxRecordAgeMs),
      batch: { maxRecords: config.logs.batch.maxRecords, maxBytes: config.logs.batch.maxBytes },
      ...(config.logs.tenants === null
        ? {}
        : {
            tenants: {
              default: config.logs.tenants.defaultTenant,
              perOrganization: config.logs.tenants.perOrganization,
              organizations: { ...config.logs.tenants.organizations },
            },
          }),
    },
    audit: { feedRetention: formatDuration(config.audit.feedRetentionMs) },
    logging: { level: config.logging.level },
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
  const routing = config.logs.tenants;
  if (routing !== null) {
    const n = Object.keys(routing.organizations).length;
    const rest = n === 0 ? "every organization" : "every other organization";
    const others = routing.perOrganization
      ? `${rest} a tenant of its own (perOrganization)`
      : `${rest} to the default tenant ${routing.defaultTenant}`;
    lines.push(
      `logs.tenants: ${n} organization${n === 1 ? "" : "s"} mapped, ${others}${routing.perOrganization ? `, records of no organization to ${routing.defaultTenant}` : ""}`,
    );
  }
  const users = config.web.tenants;
  if (users.length > 0)
    lines.push(
      `web.tenants: ${users.length} tenant user${users.length === 1 ? "" : "s"} (${users.map((u) => `${u.username}: ${u.organizations.length} organization${u.organizations.length === 1 ? "" : "s"}`).join(", ")})`,
    );
  return lines;
}
