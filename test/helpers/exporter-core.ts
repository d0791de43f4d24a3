// Builds the exporter's core (client, store, metrics, poller) against a simulator, as main.ts does.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import type { Clock } from "../../src/clock.ts";
import { systemClock } from "../../src/clock.ts";
import { buildConfig } from "../../src/config/build.ts";
import { type Logger, silentLogger } from "../../src/logger.ts";
import { createExporterMetrics } from "../../src/metrics/exporter-metrics.ts";
import type { LabelLimits } from "../../src/pipeline/labels.ts";
import type { BatchSink } from "../../src/pipeline/types.ts";
import type { BatchBounds } from "../../src/poller/batch-builder.ts";
import {
  createServerPoller,
  pollerOptionsFor,
  type ServerPoller,
  type ServerPollerOptions,
} from "../../src/poller/server-poller.ts";
import { openStateStore, type StateStore } from "../../src/state/store.ts";
import { createVboClient } from "../../src/vbo/client.ts";
import type { ApiVersion } from "../../src/vbo/types.ts";

export interface CoreTarget {
  readonly name: string;
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly apiVersion?: ApiVersion | "auto";
}

export interface Core {
  readonly dir: string;
  readonly store: StateStore;
  readonly registry: Registry;
  readonly pollers: ReadonlyMap<string, ServerPoller>;
  poller(name?: string): ServerPoller;
  close(options?: { keepDir?: boolean }): Promise<void>;
}

/** Poller settings a test may change; the rest are the configuration's defaults. */
export type CorePollerOptions = Partial<Omit<ServerPollerOptions, "batch" | "policy">> & {
  readonly batch?: Partial<BatchBounds>;
  readonly clientHostLimit?: number;
  readonly dropClientHostLabel?: boolean;
  readonly labelLimits?: Partial<LabelLimits>;
};

/** The poller options main.ts would pass for a server configured with nothing but its defaults. */
export function defaultPollerOptions(overrides: CorePollerOptions = {}): ServerPollerOptions {
  const { config } = buildConfig(
    { servers: [{ name: "lab", url: "http://127.0.0.1:1", username: "u", password: "p" }] },
    "test",
    "/",
    () => "",
  );
  const server = config.servers[0];
  if (!server) throw new Error("no default server");
  const { batch, clientHostLimit, dropClientHostLabel, labelLimits, ...rest } = overrides;
  const defaults = pollerOptionsFor(server);
  return {
    ...defaults,
    ...rest,
    batch: { ...defaults.batch, ...batch },
    policy: {
      ...defaults.policy,
      labelLimits: { ...server.labelLimits, ...labelLimits },
      clientHostLimit: clientHostLimit ?? defaults.policy.clientHostLimit,
      dropClientHostLabel: dropClientHostLabel ?? defaults.policy.dropClientHostLabel,
    },
  };
}

export function startCore(options: {
  targets: readonly CoreTarget[];
  dir?: string;
  clock?: Clock;
  logger?: Logger;
  sinks?: readonly BatchSink[];
  poller?: CorePollerOptions;
  pageSize?: number;
  maxRetries?: number;
}): Core {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "vbo-core-"));
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const store = openStateStore({ dir, logger });
  const registry = new Registry();
  const metrics = createExporterMetrics(registry, {
    version: "test",
    servers: options.targets.map((t) => t.name),
    store,
    defaultMetrics: false,
  });
  const pollers = new Map<string, ServerPoller>();
  for (const target of options.targets) {
    const client = createVboClient({
      url: target.url,
      apiVersion: target.apiVersion ?? "auto",
      username: target.username,
      password: target.password,
      clock,
      logger,
      timeoutMs: 5_000,
      random: () => 0.5,
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
      ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
    });
    pollers.set(
      target.name,
      createServerPoller({
        server: target.name,
        url: target.url,
        client,
        store,
        sinks: options.sinks ?? [],
        metrics,
        clock,
        logger,
        options: defaultPollerOptions({
          pollIntervalMs: 60_000,
          lookbackMs: 30 * 86_400_000,
          random: () => 0.5,
          ...options.poller,
        }),
      }),
    );
  }
  return {
    dir,
    store,
    registry,
    pollers,
    poller: (name) => {
      const found = pollers.get(name ?? options.targets[0]?.name ?? "");
      if (!found) throw new Error(`no poller ${name}`);
      return found;
    },
    async close(closeOptions) {
      await Promise.all([...pollers.values()].map((p) => p.stop()));
      store.close();
      if (!closeOptions?.keepDir && options.dir === undefined)
        rmSync(dir, { recursive: true, force: true });
    },
  };
}
