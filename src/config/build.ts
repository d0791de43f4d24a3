// Turns the validated file shape into ExporterConfig: defaults filled, relative paths resolved,
// secret files read (through an injected reader, so parsing stays testable without a disk).
import { isAbsolute, resolve } from "node:path";
import type { LogLevel } from "../logger.ts";
import { DEFAULT_LABEL_LIMITS } from "../pipeline/labels.ts";
import { DEFAULTS } from "./defaults.ts";
import { parseDuration } from "./duration.ts";
import { BAD_HEADER_VALUE, isHeaderValue } from "./http-header.ts";
import type { KeyPath } from "./key-path.ts";
import { parseListenAddress } from "./listen-address.ts";
import type { RuleIssue } from "./rules.ts";
import type { FileConfig } from "./schema.ts";
import { tenantsConfig } from "./tenants.ts";
import { tlsPairProblem } from "./tls-pair.ts";
import type { ExporterConfig, ServerConfig, TlsClientConfig, WebBasicAuth } from "./types.ts";

/** Reads a whole text file; throws an error with a `code` (ENOENT, EACCES...) on failure. */
export type ReadFile = (path: string) => string;

function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory, not a file";
  return typeof code === "string" ? code : "unreadable";
}

const ms = (text: string): number => parseDuration(text) ?? 0;

export function buildConfig(
  file: FileConfig,
  source: string,
  baseDir: string,
  readFile: ReadFile,
): { config: ExporterConfig; issues: RuleIssue[] } {
  const issues: RuleIssue[] = [];
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));

  /** The file's text with one trailing newline removed, or null after recording an issue. */
  const readText = (path: KeyPath, p: string): string | null => {
    const full = abs(p);
    try {
      return readFile(full);
    } catch (error) {
      issues.push({ path, message: `cannot read ${full}: ${describeReadError(error)}` });
      return null;
    }
  };
  const readSecret = (path: KeyPath, p: string): string => {
    const text = readText(path, p);
    if (text === null) return "";
    const secret = text.replace(/\r?\n$/, "");
    if (secret === "") issues.push({ path, message: `${abs(p)} is empty` });
    return secret;
  };
  /** The file's text when it holds a PEM `what`, or null after recording an issue. */
  const pemText = (path: KeyPath, p: string, what: string): string | null => {
    const text = readText(path, p);
    if (text !== null && !text.includes(`-----BEGIN ${what}`)) {
      issues.push({ path, message: `${abs(p)} does not contain a PEM ${what.toLowerCase()}` });
      return null;
    }
    return text;
  };
  const pemFile = (path: KeyPath, p: string, what: string): string => {
    pemText(path, p, what);
    return abs(p);
  };
  const tls = (
    base: KeyPath,
    value: { caFile?: string | undefined; insecureSkipVerify?: boolean | undefined } | undefined,
  ): TlsClientConfig => ({
    caFile:
      value?.caFile === undefined
        ? null
        : pemFile([...base, "caFile"], value.caFile, "CERTIFICATE"),
    insecureSkipVerify: value?.insecureSkipVerify ?? false,
  });

  const servers: ServerConfig[] = (file.servers ?? []).map((server, index) => {
    const base: KeyPath = ["servers", index];
    let password = server.password ?? "";
    if (server.passwordFile !== undefined) {
      password = readSecret([...base, "passwordFile"], server.passwordFile);
    } else if (server.password !== undefined && server.password === "") {
      issues.push({ path: [...base, "password"], message: "is empty" });
    }
    return {
      name: server.name,
      url: server.url,
      apiVersion: server.apiVersion ?? DEFAULTS.apiVersion,
      username: server.username,
      password,
      passwordFile: server.passwordFile === undefined ? null : abs(server.passwordFile),
      tls: tls([...base, "tls"], server.tls),
      pollIntervalMs: server.pollInterval ?? ms(DEFAULTS.pollInterval),
      lookbackMs: server.lookback ?? ms(DEFAULTS.lookback),
      timeoutMs: server.timeout ?? ms(DEFAULTS.timeout),
      eventConcurrency: server.eventConcurrency ?? DEFAULTS.eventConcurrency,
      overlapMs: ms(DEFAULTS.pollOverlap),
      sliceMs: ms(DEFAULTS.pollSlice),
      batch: {
        maxEvents: server.batchMaxEvents ?? DEFAULTS.pollBatchMaxEvents,
        maxBytes: server.batchMaxBytes ?? DEFAULTS.pollBatchMaxBytes,
        maxSessions: DEFAULTS.pollBatchMaxSessions,
      },
      unreadableGiveUp: {
        reads: DEFAULTS.unreadableGiveUpReads,
        afterMs: ms(DEFAULTS.unreadableGiveUpAfter),
      },
      clientHostLimit: server.clientHostLimit ?? DEFAULTS.clientHostLimit,
      labelMaxLength: server.labelMaxLength ?? DEFAULTS.labelMaxLength,
      labelLimits: {
        organization: server.labelLimits?.organization ?? DEFAULT_LABEL_LIMITS.organization,
        restore_type: server.labelLimits?.restoreType ?? DEFAULT_LABEL_LIMITS.restore_type,
        event_type: server.labelLimits?.eventType ?? DEFAULT_LABEL_LIMITS.event_type,
        status: server.labelLimits?.status ?? DEFAULT_LABEL_LIMITS.status,
        result: server.labelLimits?.result ?? DEFAULT_LABEL_LIMITS.result,
        subject: server.labelLimits?.subject ?? DEFAULT_LABEL_LIMITS.subject,
      },
      dropClientHostLabel: server.dropClientHostLabel ?? DEFAULTS.dropClientHostLabel,
      pageSize: server.pageSize ?? null,
      watchlist: {
        fromVbo: server.watchlist?.fromVbo ?? true,
        refreshIntervalMs: server.watchlist?.refreshInterval ?? ms(DEFAULTS.watchlistRefresh),
        subjects: (server.watchlist?.subjects ?? []).map((entry) => ({
          ...entry,
          organization: entry.organization ?? null,
        })),
      },
    };
  });

  const listenAddress = file.web?.listenAddress ?? DEFAULTS.listenAddress;
  const listen = parseListenAddress(listenAddress) ?? { host: undefined, port: 0 };
  const auth = file.web?.basicAuth;
  let basicAuth: WebBasicAuth | null = null;
  if (auth) {
    if (auth.passwordHash !== undefined) {
      basicAuth = { username: auth.username, password: null, passwordHash: auth.passwordHash };
    } else {
      const password =
        auth.passwordFile !== undefined
          ? readSecret(["web", "basicAuth", "passwordFile"], auth.passwordFile)
          : (auth.password ?? "");
      if (auth.passwordFile === undefined && password === "") {
        issues.push({ path: ["web", "basicAuth", "password"], message: "is empty" });
      }
      basicAuth = { username: auth.username, password, passwordHash: null };
    }
  }
  const webTls = file.web?.tls;
  const webCertText = webTls
    ? pemText(["web", "tls", "certFile"], webTls.certFile, "CERTIFICATE")
    : null;

  const otlp = file.logs?.otlp;
  const otlpAuth = otlp?.basicAuth;
  let bearerToken: string | null = otlp?.bearerToken ?? null;
  if (otlp?.bearerTokenFile !== undefined) {
    bearerToken = readSecret(["logs", "otlp", "bearerTokenFile"], otlp.bearerTokenFile);
  }
  if (bearerToken !== null && !isHeaderValue(bearerToken)) {
    // Named without its value: it is a credential.
    issues.push({
      path: [
        "logs",
        "otlp",
        otlp?.bearerTokenFile !== undefined ? "bearerTokenFile" : "bearerToken",
      ],
      message: `the token ${BAD_HEADER_VALUE}`,
    });
  }

  const config: ExporterConfig = {
    source,
    web: {
      listenAddress,
      host: listen.host,
      port: listen.port,
      newSeriesHoldMs: file.web?.newSeriesHold ?? ms(DEFAULTS.newSeriesHold),
      basicAuth,
      tenants: (file.web?.tenants ?? []).map((t) => ({
        username: t.username,
        passwordHash: t.passwordHash,
        organizations: [...t.organizations],
      })),
      tls: webTls
        ? {
            certFile: abs(webTls.certFile),
            keyFile: abs(webTls.keyFile),
          }
        : null,
      grafana: file.web?.grafana
        ? {
            url: file.web.grafana.url,
            lokiDatasource: file.web.grafana.lokiDatasource ?? DEFAULTS.grafanaLokiDatasource,
          }
        : null,
    },
    state: { dir: abs(file.state?.dir ?? DEFAULTS.stateDir) },
    servers,
    sharding: { index: file.sharding?.index ?? 0, count: file.sharding?.count ?? 1 },
    logs: {
      otlp: {
        endpoint: otlp?.endpoint ?? null,
        protocol: otlp?.protocol ?? DEFAULTS.otlpProtocol,
        headers: { ...(otlp?.headers ?? {}) },
        basicAuth: otlpAuth
          ? {
              username: otlpAuth.username,
              password:
                otlpAuth.passwordFile !== undefined
                  ? readSecret(["logs", "otlp", "basicAuth", "passwordFile"], otlpAuth.passwordFile)
                  : (otlpAuth.password ?? ""),
            }
          : null,
        bearerToken,
        tls: tls(["logs", "otlp", "tls"], otlp?.tls),
        timeoutMs: otlp?.timeout ?? ms(DEFAULTS.otlpTimeout),
        compression: otlp?.compression ?? DEFAULTS.otlpCompression,
      },
      outbox: { maxRecords: file.logs?.outbox?.maxRecords ?? DEFAULTS.outboxMaxRecords },
      maxRecordAgeMs: file.logs?.maxRecordAge ?? ms(DEFAULTS.maxRecordAge),
      batch: {
        maxRecords: file.logs?.batch?.maxRecords ?? DEFAULTS.batchMaxRecords,
        maxBytes: file.logs?.batch?.maxBytes ?? DEFAULTS.batchMaxBytes,
      },
      tenants: tenantsConfig(file.logs?.tenants, issues),
    },
    audit: {
      feedRetentionMs: file.audit?.feedRetention ?? ms(DEFAULTS.auditFeedRetention),
    },
    logging: { level: (file.logging?.level ?? DEFAULTS.logLevel) as LogLevel },
  };
  if (webTls) {
    const keyText = readText(["web", "tls", "keyFile"], webTls.keyFile);
    if (keyText !== null && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyText)) {
      issues.push({
        path: ["web", "tls", "keyFile"],
        message: `${abs(webTls.keyFile)} does not contain a PEM private key`,
      });
    } else if (keyText !== null && webCertText !== null) {
      // Checked here so that check-config fails, not the HTTPS server at start-up.
      const problem = tlsPairProblem(webCertText, keyText);
      if (problem)
        issues.push({
          path: ["web", "tls", "keyFile"],
          message: problem.mismatch
            ? `does not match web.tls.certFile (${abs(webTls.keyFile)} is not the key of ${abs(webTls.certFile)}: ${problem.reason})`
            : `cannot be used with web.tls.certFile (${abs(webTls.keyFile)}, ${abs(webTls.certFile)}: ${problem.reason})`,
        });
    }
  }
  return { config, issues };
}
