// Polls one VBO server in the background: single-flight cycles on an interval with jitter, backoff
// after failures, health metrics, and a status for the landing page. Never throws out.
import type { Clock } from "../clock.ts";
import type { ServerConfig } from "../config/types.ts";
import { describeError, toReason } from "../errors.ts";
import type { Every } from "../every.ts";
import type { Logger } from "../logger.ts";
import type { ExporterMetrics } from "../metrics/exporter-metrics.ts";
import type { ServerStatus } from "../pipeline/status.ts";
import type { BatchSink } from "../pipeline/types.ts";
import type { LabelPolicy, StateStore } from "../state/store.ts";
import type { ApiVersion, VboClient } from "../vbo/types.ts";
import type { BatchBounds } from "./batch-builder.ts";
import { readChangeFeed } from "./change-feed.ts";
import { createClockWatch } from "./clock-watch.ts";
import { runPollCycle } from "./cycle.ts";
import type { GiveUpGrace } from "./give-up.ts";
import { EMPTY_POLL_MEMORY, type PollMemory } from "./poll-memory.ts";
import { createProgressWatch } from "./progress-watch.ts";

/** Resolved values (the defaults live in src/config/). */
export interface ServerPollerOptions {
  readonly pollIntervalMs: number;
  readonly lookbackMs: number;
  /**
   * How far before the cursor each poll reads again: sessions that appear late, and a VBO clock
   * behind the exporter's (re-listed sessions are recognised by id, not recounted).
   */
  readonly overlapMs: number;
  /** Width of the time slices a long range is listed in. */
  readonly sliceMs: number;
  /** Bounds of one commit; a session larger than a batch is committed in several. */
  readonly batch: BatchBounds;
  /** Requests for events in flight at most. */
  readonly eventConcurrency: number;
  /** When an ended session whose unreadable events stay unreadable is finished without them. */
  readonly giveUp: GiveUpGrace;
  readonly policy: LabelPolicy;
  /** Random source for the interval jitter (tests pass a fixed one). */
  readonly random?: () => number;
  /** How often a long poll logs its progress (default 10 s), and the timer that says when. */
  readonly progressIntervalMs?: number;
  readonly progressEvery?: Every;
}

/** The poller options of a configured server. */
export function pollerOptionsFor(server: ServerConfig): ServerPollerOptions {
  return {
    pollIntervalMs: server.pollIntervalMs,
    lookbackMs: server.lookbackMs,
    overlapMs: server.overlapMs,
    sliceMs: server.sliceMs,
    batch: server.batch,
    eventConcurrency: server.eventConcurrency,
    giveUp: server.unreadableGiveUp,
    policy: {
      clientHostLimit: server.clientHostLimit,
      dropClientHostLabel: server.dropClientHostLabel,
      labelMaxLength: server.labelMaxLength,
      labelLimits: server.labelLimits,
    },
  };
}

export interface ServerPollerDeps {
  readonly server: string;
  readonly url: string;
  readonly client: VboClient;
  readonly store: StateStore;
  readonly sinks: readonly BatchSink[];
  readonly metrics: ExporterMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly options: ServerPollerOptions;
}

export interface ServerPoller {
  start(): void;
  stop(): Promise<void>;
  /** One poll now (joins the one in flight, if any). Never rejects. */
  pollOnce(signal?: AbortSignal): Promise<void>;
  status(): ServerStatus;
}

const MIN_RETRY_MS = 1_000;
const BAD_CREDENTIALS_MAX_MS = 15 * 60_000;
/** Polls started by the change feed are at least this far apart. */
const MIN_POLL_GAP_MS = 1_000;

export function createServerPoller(deps: ServerPollerDeps): ServerPoller {
  const { server, client, store, sinks, metrics, clock, options } = deps;
  const logger = deps.logger.child({ server });
  const random = options.random ?? Math.random;
  const controller = new AbortController();
  let inFlight: Promise<void> | null = null;
  let loop: Promise<void> | null = null;
  let polls = 0;
  let failuresInARow = 0;
  let lastPollStartedAt: number | null = null;
  let lastSuccessAt: number | null = null;
  let lastError: ServerStatus["lastError"] = null;
  let loggedReason: string | null = null;
  let apiVersion: ApiVersion | null = null;
  let serverVersion: string | null = null;
  let requestsReported = 0;
  /** What this poller remembers between polls; each poll returns the next one. */
  let memory: PollMemory = EMPTY_POLL_MEMORY;
  const clockWatch = createClockWatch(logger, options.overlapMs);
  const progressWatch = createProgressWatch({
    logger,
    clock,
    overlapMs: options.overlapMs,
    publish: (figures) => metrics.backfillProgress(server, figures),
    ...(options.progressIntervalMs === undefined ? {} : { intervalMs: options.progressIntervalMs }),
    ...(options.progressEvery === undefined ? {} : { every: options.progressEvery }),
  });

  const reportRequests = () => {
    const total = client.requestCount();
    metrics.apiRequests(server, total - requestsReported);
    requestsReported = total;
  };

  const describeServer = async (signal: AbortSignal) => {
    if (apiVersion !== null && serverVersion !== null) return;
    apiVersion = await client.apiVersion(signal);
    const instance = await client.serviceInstance(signal);
    serverVersion = instance.version ?? "unknown";
    metrics.serverInfo(server, serverVersion, apiVersion);
  };

  const cycle = async (signal: AbortSignal): Promise<void> => {
    const started = clock.now();
    lastPollStartedAt = started;
    const progress = progressWatch.poll();
    let ended = false;
    try {
      await describeServer(signal);
      const result = await runPollCycle(
        {
          server,
          client,
          store,
          sinks,
          metrics,
          clock,
          onVanished: (id) =>
            logger.warn(
              { session: id },
              "a running restore session is gone from the server; no longer tracked",
            ),
          onQuarantined: (record) =>
            logger.warn(
              {
                kind: record.kind,
                id: record.recordId,
                session: record.sessionId,
                ...(record.position === null ? {} : { position: record.position }),
                reason: record.reason,
                field: record.field,
              },
              `VBO sent a ${record.kind.replace("_", " ")} that cannot be read (${record.message}); it is quarantined (see: vbo-restore-exporter quarantine list) and the poll goes on`,
            ),
          onGivenUp: (id, unread) =>
            logger.warn(
              {
                session: id,
                unreadableEvents: unread.events,
                eventListUnreadable: unread.eventList,
              },
              `the restore session ${id} ended on VBO but ${unread.eventList ? "its events list" : `${unread.events} of its events`} still cannot be read after the grace; it is finished without ${unread.eventList || unread.events !== 1 ? "them" : "it"}: never counted, not read again, kept in the quarantine (see: vbo-restore-exporter quarantine list --server ${server})`,
            ),
          options,
          progress,
        },
        memory,
        signal,
      );
      memory = result.memory;
      progress.end(result.ok);
      ended = true;
      if (!result.ok) throw result.error;
      const { outcome } = result;
      const finished = clock.now();
      polls++;
      failuresInARow = 0;
      lastSuccessAt = finished;
      lastError = null;
      metrics.pollSucceeded(server, (finished - started) / 1000, finished);
      metrics.serverClockOffset(
        server,
        outcome.clockOffsetMs === null ? null : outcome.clockOffsetMs / 1000,
      );
      clockWatch.observe(outcome);
      if (loggedReason !== null) logger.info("polling works again");
      loggedReason = null;
      if (outcome.newSessions > 0 || outcome.newEvents > 0) {
        logger.debug({ ...outcome, ms: finished - started }, "poll committed new restore data");
      }
    } catch (error) {
      const finished = clock.now();
      polls++;
      if (signal.aborted) {
        logger.debug("poll abandoned at shutdown; nothing half-committed");
        return;
      }
      failuresInARow++;
      const reason = toReason(error);
      const message = describeError(error);
      lastError = { reason, message, at: finished };
      metrics.pollFailed(server, reason, (finished - started) / 1000);
      if (reason !== loggedReason) {
        logger.error({ reason, err: message }, "poll failed; retrying with backoff");
        loggedReason = reason;
      }
      if (reason === "bad_credentials" || reason === "unsupported_version") apiVersion = null;
    } finally {
      if (!ended) progress.end(false);
      reportRequests();
    }
  };

  const pollOnce = (signal?: AbortSignal): Promise<void> => {
    if (inFlight) return inFlight;
    const combined = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
    inFlight = cycle(combined).finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  const nextDelay = (): number => {
    const jitter = 1 + (random() - 0.5) * 0.2;
    if (failuresInARow === 0) return Math.max(0, options.pollIntervalMs * jitter);
    const backoff = MIN_RETRY_MS * 2 ** Math.min(failuresInARow - 1, 10);
    // Refused credentials do not heal by themselves, and each try may count towards a lockout of
    // the service account: back off beyond the poll interval, up to 15 minutes.
    if (loggedReason === "bad_credentials")
      return Math.min(Math.max(options.pollIntervalMs, backoff), BAD_CREDENTIALS_MAX_MS) * jitter;
    return Math.min(options.pollIntervalMs, backoff) * jitter;
  };

  /**
   * Waits until the next poll is due. With VBO's change feed (v8) it waits on the feed instead and
   * returns as soon as something changed, so a restore shows within seconds, not a poll interval.
   */
  const waitForNextPoll = async (delayMs: number): Promise<void> => {
    const signal = controller.signal;
    const startedMs = clock.now();
    if (
      failuresInARow === 0 &&
      typeof memory.changeFeed === "object" &&
      memory.changeFeed !== null
    ) {
      try {
        const before = memory;
        const read = await readChangeFeed(client, before, Math.floor(delayMs / 1000), signal);
        // Only the feed's part: a poll may have run meanwhile (pollOnce) and changed the rest.
        memory = {
          ...memory,
          changeFeed: read.memory.changeFeed,
          eTags: read.memory.eTags === before.eTags ? memory.eTags : read.memory.eTags,
        };
        if (read.changed) {
          // A server that changes all the time is still not polled back to back.
          await clock.sleep(Math.max(0, MIN_POLL_GAP_MS - (clock.now() - startedMs)), signal);
          return;
        }
      } catch (error) {
        if (signal.aborted) throw error;
        // Waiting on the feed is a shortcut only: the next poll meets a failing feed again.
      }
    }
    const leftMs = delayMs - (clock.now() - startedMs);
    await clock.sleep(Math.max(0, leftMs), signal);
  };

  return {
    start() {
      if (loop) return;
      loop = (async () => {
        while (!controller.signal.aborted) {
          await pollOnce();
          try {
            await waitForNextPoll(nextDelay());
          } catch {
            return;
          }
        }
      })();
    },
    async stop() {
      controller.abort(new DOMException("the exporter is stopping", "AbortError"));
      await Promise.allSettled([inFlight, loop]);
      const closable = client as VboClient & { close?: () => void };
      closable.close?.();
    },
    pollOnce,
    status() {
      return {
        server,
        url: deps.url,
        apiVersion,
        serverVersion,
        up: lastSuccessAt !== null && lastError === null,
        polls,
        lastPollStartedAt,
        lastSuccessAt,
        lastError,
        progress: progressWatch.current(),
      };
    },
  };
}
