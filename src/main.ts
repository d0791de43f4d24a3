// The composition root, and the only place that wires: configuration → state store → one VBO
// client and poller per server of this shard → log pipeline → web server; and the way back down.
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import pLimit from "p-limit";
import { Registry } from "prom-client";
import { localSubjects } from "./audit/local-entries.ts";
import { watchingStore } from "./audit/watching-store.ts";
import { createWatchlistKeeper } from "./audit/watchlist-keeper.ts";
import { type Clock, systemClock } from "./clock.ts";
import { serversForShard } from "./config/sharding.ts";
import type { ExporterConfig, ServerConfig } from "./config/types.ts";
import { vboClientOptions } from "./config/vbo-client-options.ts";
import { describeError, ExporterError } from "./errors.ts";
import { createApp, type Readiness } from "./http/app.ts";
import { startWebServer } from "./http/server.ts";
import type { Logger } from "./logger.ts";
import { createLogPipeline } from "./logs/pipeline.ts";
import { createExporterMetrics } from "./metrics/exporter-metrics.ts";
import { createExposition } from "./metrics/exposition.ts";
import { createSessionReader } from "./pipeline/session-reader.ts";
import type { ServerStatus } from "./pipeline/status.ts";
import { createServerPoller, pollerOptionsFor } from "./poller/server-poller.ts";
import { findChromium, printPdf } from "./report/print-pdf.ts";
import { createReportService } from "./report/report-service.ts";
import { configSecrets, createScrubber } from "./secrets/scrub.ts";
import { lockStateDir } from "./state/instance-lock.ts";
import { openStateStore, type StateStore } from "./state/store.ts";
import { splitMappingSentence, splitMappings } from "./tenants/split-mappings.ts";
import { unknownMappings } from "./tenants/unknown-mappings.ts";
import { createVboClient } from "./vbo/client.ts";

export interface ExporterOptions {
  readonly config: ExporterConfig;
  readonly logger: Logger;
  readonly version: string;
  readonly clock?: Clock;
  /** Plain text shown on the landing page (the demo says its data is simulated). */
  readonly notice?: string;
  /** Where audit records go when no OTLP endpoint is configured (default: stdout). */
  readonly consoleRecords?: NodeJS.WritableStream;
  /** What the log pipeline's start line says of those records. */
  readonly consoleNote?: string;
}

export interface RunningExporter {
  /** Base URL of the web endpoints, e.g. http://127.0.0.1:9853/. */
  readonly url: string;
  readonly port: number;
  /** The servers this replica polls (after sharding). */
  readonly servers: readonly ServerConfig[];
  ready(): Readiness;
  /** Stops polling, drains what it can of the log sender, closes the web server and the store. */
  stop(): Promise<void>;
}

function readiness(statuses: readonly ServerStatus[]): Readiness {
  // A first poll under way says how far it has read, from the poller's own figures.
  const waiting = statuses
    .filter((s) => s.polls === 0)
    .map((s) =>
      s.progress
        ? `${s.server} (${Math.floor(s.progress.ratio * 100)}% read, up to ${new Date(s.progress.reachedMs).toISOString()})`
        : s.server,
    );
  if (waiting.length === 0) return { ready: true };
  return { ready: false, reason: `waiting for the first poll of ${waiting.join(", ")}` };
}

/**
 * service.instance.id for the log records: kept in the state directory, so it survives restarts
 * and container re-creation, and replays after a crash stay byte-identical.
 */
function stableInstanceId(stateDir: string): string {
  const file = join(stateDir, "instance-id");
  try {
    const id = readFileSync(file, "utf8").trim();
    if (id !== "") return id;
  } catch {
    // First start: no id yet.
  }
  const id = randomUUID();
  try {
    writeFileSync(file, `${id}\n`);
    return id;
  } catch {
    return hostname();
  }
}

export async function startExporter(options: ExporterOptions): Promise<RunningExporter> {
  const { config, logger, version } = options;
  const clock = options.clock ?? systemClock;
  const servers = serversForShard(config.servers, config.sharding);
  if (config.sharding.count > 1) {
    logger.info(
      {
        shard: config.sharding.index,
        shards: config.sharding.count,
        servers: servers.map((s) => s.name),
      },
      "sharding: this replica polls its share of the servers",
    );
  }
  // The VBO client warns loudly itself when a server's TLS verification is switched off.

  const registry = new Registry();
  const lock = lockStateDir(config.state.dir);
  let store: StateStore;
  try {
    store = openStateStore({ dir: config.state.dir, logger });
  } catch (error) {
    lock.release();
    throw error;
  }
  const cleanups: (() => Promise<void> | void)[] = [() => lock.release(), () => store.close()];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        logger.warn({ err: describeError(error) }, "error while shutting down");
      }
    }
    cleanups.length = 0;
  };

  try {
    const metrics = createExporterMetrics(registry, {
      version,
      servers: servers.map((s) => s.name),
      store,
      newSeriesHoldMs: config.web.newSeriesHoldMs,
      now: () => clock.now(),
    });
    const otlp = config.logs.otlp;
    // Built once: every text from a VBO server or the log receiver is scrubbed of these.
    const secrets = configSecrets(config);
    const logs = createLogPipeline({
      store,
      options: {
        endpoint: otlp.endpoint,
        protocol: otlp.protocol,
        headers: otlp.headers,
        basicAuth: otlp.basicAuth,
        bearerToken: otlp.bearerToken,
        tls: otlp.tls,
        timeoutMs: otlp.timeoutMs,
        compression: otlp.compression,
        outboxMaxRecords: config.logs.outbox.maxRecords,
        maxRecordAgeMs: config.logs.maxRecordAgeMs,
        batchMaxRecords: config.logs.batch.maxRecords,
        batchMaxBytes: config.logs.batch.maxBytes,
        tenants: config.logs.tenants,
      },
      registry,
      // The tenant label is bounded as the organization label: tenants derived per organization.
      tenantLabelLimit: Math.max(0, ...servers.map((s) => s.labelLimits.organization)),
      logger: logger.child({ component: "logs" }),
      scrub: createScrubber(secrets),
      clock,
      serviceVersion: version,
      instanceId: stableInstanceId(config.state.dir),
      ...(options.consoleRecords === undefined ? {} : { stdout: options.consoleRecords }),
      ...(options.consoleNote === undefined ? {} : { consoleNote: options.consoleNote }),
    });
    // One client per server, shared by its poller and the session page (one token, one pool).
    const clients = servers.map((server) => ({
      server,
      client: createVboClient({
        ...vboClientOptions(server),
        secrets,
        clock,
        logger: logger.child({ server: server.name }),
      }),
    }));
    // Each server's watchlist (VBO's audit items and local entries), read before its first poll so
    // that the history read at start is checked against it too.
    const keepers = new Map(
      clients.map(({ server, client }) => [
        server.name,
        createWatchlistKeeper({
          server: server.name,
          reader: server.watchlist.fromVbo ? client : null,
          local: localSubjects(server.watchlist.subjects),
          refreshMs: server.watchlist.refreshIntervalMs,
          clock,
          logger,
          report: (up, subjects) => metrics.watchlist(server.name, up, subjects),
        }),
      ]),
    );
    const auditingStore = watchingStore(store, (server) => keepers.get(server)?.current());
    const pollers = clients.map(({ server, client }) =>
      createServerPoller({
        server: server.name,
        url: server.url,
        client,
        store: auditingStore,
        sinks: [logs.sink],
        metrics,
        clock,
        logger,
        options: pollerOptionsFor(server),
      }),
    );

    const printOne = pLimit(1);
    const ready = (): Readiness => readiness(pollers.map((p) => p.status()));
    const app = createApp({
      registry: createExposition(registry, metrics.stableSeries),
      statuses: () => pollers.map((p) => p.status()),
      recentSessions: (limit, organizations) => store.recentSessions(limit, organizations),
      ready,
      version,
      basicAuth: config.web.basicAuth,
      tenants: config.web.tenants,
      logger: logger.child({ component: "web" }),
      now: () => clock.now(),
      ...(options.notice === undefined ? {} : { notice: options.notice }),
      sessionReader: createSessionReader(new Map(clients.map((c) => [c.server.name, c.client]))),
      watchedAccesses: (since, limit) => store.watchedAccesses(since, limit),
      latestWatchedAccesses: (limit) => store.latestWatchedAccesses(limit),
      reports: createReportService({
        clients: new Map(clients.map((c) => [c.server.name, c.client])),
        watchlist: (server) => keepers.get(server)?.current(),
        now: () => clock.now(),
        progress: (query, read) =>
          logger.info(
            {
              component: "web",
              server: query.server,
              organization: query.organization,
              sessionsRead: read,
            },
            "report under way",
          ),
      }),
      // One browser at a time: a print takes a few hundred MB for a second or two.
      printPdf: (html) =>
        printOne.pendingCount >= 4
          ? Promise.reject(
              new ExporterError(
                "busy",
                "too many PDFs are being printed at once; try again in a minute",
              ),
            )
          : printOne(() => printPdf(html)),
      printsPdf: () => findChromium() !== null,
      grafana: config.web.grafana,
    });
    const web = await startWebServer(app, {
      ...config.web,
      logger: logger.child({ component: "web" }),
    });
    cleanups.push(() => web.close());
    logs.start();
    cleanups.push(() => logs.stop());
    // A tenant mapping that names an organization none of the servers has is said once, at start.
    const mapped = {
      logs: Object.keys(config.logs.tenants?.organizations ?? {}),
      web: config.web.tenants,
    };
    if (mapped.logs.length + mapped.web.length > 0) {
      const listings = clients.map(({ server, client }) =>
        client
          .listOrganizations()
          .then((organizations) => ({ organizations, labelMaxLength: server.labelMaxLength })),
      );
      void Promise.allSettled(listings).then((answers) => {
        if (answers.some((a) => a.status === "rejected")) return;
        const known = answers.flatMap((a) => (a.status === "fulfilled" ? [a.value] : []));
        const unknown = unknownMappings(mapped, known);
        if (unknown.logs.length + unknown.web.length > 0)
          logger.warn(
            {
              organizations: unknown.logs,
              tenantUsers: unknown.web.map((w) => `${w.username}: ${w.organization}`),
            },
            "logs.tenants.organizations or web.tenants names organizations no VBO server of this exporter has; check the names (their records go nowhere special, a tenant user sees nothing of them)",
          );
        const organizations = known.flatMap((k) => k.organizations);
        for (const split of splitMappings(config.logs.tenants?.organizations ?? {}, organizations))
          logger.warn(splitMappingSentence(config.source, split));
      });
    }
    pollers.forEach((poller, i) => {
      const keeper = keepers.get(clients[i]?.server.name ?? "");
      if (keeper) void keeper.start().then(() => poller.start());
      else poller.start();
    });
    cleanups.push(() => Promise.all(pollers.map((p) => p.stop())).then(() => undefined));
    cleanups.push(() => Promise.all([...keepers.values()].map((k) => k.stop())).then(() => {}));
    const retention = setInterval(() => {
      try {
        store.pruneWatchedAccesses(clock.now() - config.audit.feedRetentionMs);
      } catch (error) {
        logger.warn({ err: describeError(error) }, "cannot prune the feed of watched accesses");
      }
    }, 3_600_000);
    retention.unref();
    cleanups.push(() => clearInterval(retention));
    logger.info(
      { url: web.url, servers: servers.map((s) => s.name), stateDir: config.state.dir, version },
      "exporter started",
    );

    let stopping: Promise<void> | null = null;
    return {
      url: web.url,
      port: web.port,
      servers,
      ready,
      stop: () => {
        stopping ??= stopAll().then(() => logger.info("exporter stopped"));
        return stopping;
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The same signal again within this time is one delivery made twice, not a second signal. */
const DUPLICATE_SIGNAL_MS = 1_000;

/**
 * Stops the exporter on SIGTERM/SIGINT and resolves with 0 after a clean stop (1 if stopping
 * failed). A second signal, or a stop longer than graceMs, exits the process at once with 1; the
 * same signal again within a second is one delivery made twice (a whole process group signalled,
 * as systemd does, reaches the exporter both directly and through the launcher) and is ignored.
 */
export function stopOnSignal(
  exporter: RunningExporter,
  logger: Logger,
  graceMs = 8_000,
): Promise<number> {
  return new Promise((resolve) => {
    let first: { signal: NodeJS.Signals; atMs: number } | null = null;
    const onSignal = (signal: NodeJS.Signals) => {
      if (first !== null) {
        if (signal === first.signal && Date.now() - first.atMs < DUPLICATE_SIGNAL_MS) return;
        logger.warn({ signal }, "second signal: exiting now");
        process.exit(1);
      }
      first = { signal, atMs: Date.now() };
      logger.info({ signal }, "shutting down");
      const timer = setTimeout(() => {
        logger.error({ graceMs }, "shutdown took too long: exiting now");
        process.exit(1);
      }, graceMs);
      timer.unref();
      exporter.stop().then(
        () => {
          clearTimeout(timer);
          resolve(0);
        },
        (error: unknown) => {
          clearTimeout(timer);
          logger.error({ err: describeError(error) }, "shutdown failed");
          resolve(1);
        },
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}
