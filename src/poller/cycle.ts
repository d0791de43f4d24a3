// One poll of one server: read what is new or still running since the stored state, and commit it
// in bounded batches (each batch with its events, atomically, together with the log outbox).
import pLimit from "p-limit";
import type { Clock } from "../clock.ts";
import type { ExporterMetrics } from "../metrics/exporter-metrics.ts";
import type { BatchSink } from "../pipeline/types.ts";
import type { LabelPolicy, StateStore } from "../state/store.ts";
import type { RestoreEvent, RestoreSession, VboClient } from "../vbo/types.ts";
import { buildPollResult, byCreationTime, sliceRange } from "./diff.ts";

export interface CycleOptions {
  readonly lookbackMs: number;
  readonly overlapMs: number;
  readonly sliceMs: number;
  readonly batchSessions: number;
  readonly eventConcurrency: number;
  readonly policy: LabelPolicy;
}

export interface CycleDeps {
  readonly server: string;
  readonly client: VboClient;
  readonly store: StateStore;
  readonly sinks: readonly BatchSink[];
  readonly metrics: ExporterMetrics;
  readonly clock: Clock;
  readonly options: CycleOptions;
  /** Called for a running session the server no longer knows (404). */
  readonly onVanished?: (sessionId: string) => void;
}

export interface CycleOutcome {
  readonly newSessions: number;
  readonly newEvents: number;
  readonly refreshed: number;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw signal.reason instanceof Error
      ? signal.reason
      : new DOMException("aborted", "AbortError");
}

function isNotFound(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as { reason?: unknown }).reason === "not_found"
  );
}

function newestCreationMs(sessions: Iterable<RestoreSession>): number | undefined {
  let newest: bigint | undefined;
  for (const session of sessions) {
    if (newest === undefined || session.creationTime.ns > newest) newest = session.creationTime.ns;
  }
  return newest === undefined ? undefined : Number(newest / 1_000_000n);
}

export async function runPollCycle(deps: CycleDeps, signal?: AbortSignal): Promise<CycleOutcome> {
  const { server, client, store, sinks, metrics, clock, options } = deps;
  const limit = pLimit(Math.max(1, options.eventConcurrency));
  const observedAtNs = clock.nowNs();
  const startedMs = clock.now();
  const state = store.serverState(server);
  const running = new Set(state.runningSessionIds);
  const fromMs =
    state.cursorMs === null ? startedMs - options.lookbackMs : state.cursorMs - options.overlapMs;
  const refreshed = new Map<string, RestoreSession>();
  let newSessionCount = 0;
  let newEventCount = 0;

  const fetchEvents = async (sessions: readonly RestoreSession[]) => {
    const events = new Map<string, readonly RestoreEvent[]>();
    await Promise.all(
      sessions.map((s) =>
        limit(async () => {
          throwIfAborted(signal);
          events.set(s.id, await collect(client.listRestoreSessionEvents(s.id, signal)));
        }),
      ),
    );
    return events;
  };

  const commit = (
    newSessions: readonly RestoreSession[],
    refreshedSessions: readonly RestoreSession[],
    events: ReadonlyMap<string, readonly RestoreEvent[]>,
    cursorMs?: number,
  ) => {
    const seenEvents = new Map<string, ReadonlySet<string>>();
    for (const s of refreshedSessions) seenEvents.set(s.id, store.seenEventIds(server, s.id));
    const result = buildPollResult({
      server,
      observedAtNs,
      newSessions,
      refreshedSessions,
      eventsBySession: events,
      seenEvents,
    });
    throwIfAborted(signal);
    const counts = store.commitPoll(result, sinks, options.policy, cursorMs);
    metrics.applyCommitted(counts);
    newSessionCount += result.newSessions.length;
    newEventCount += result.newEvents.length;
  };

  for (const slice of sliceRange(fromMs, startedMs, options.sliceMs)) {
    throwIfAborted(signal);
    const listed = new Map<string, RestoreSession>();
    const query = {
      startTimeFrom: new Date(slice.fromMs),
      ...(slice.toMs === null ? {} : { startTimeTo: new Date(slice.toMs) }),
    };
    for await (const session of client.listRestoreSessions(query, signal))
      listed.set(session.id, session);
    const known = store.knownSessionIds(server, [...listed.keys()]);
    const fresh: RestoreSession[] = [];
    for (const session of listed.values()) {
      if (!known.has(session.id)) fresh.push(session);
      else if (running.has(session.id)) refreshed.set(session.id, session);
    }
    fresh.sort(byCreationTime);
    // A closed slice is complete up to its end. The open one is complete up to the newest session
    // it listed, on VBO's own clock, so a VBO clock behind ours cannot make the next poll skip
    // sessions; with nothing listed the cursor stays where it was.
    const sliceCursor = slice.toMs ?? newestCreationMs(listed.values());
    for (let i = 0; i < fresh.length; i += options.batchSessions) {
      const batch = fresh.slice(i, i + options.batchSessions);
      const lastBatch = i + options.batchSessions >= fresh.length;
      commit(batch, [], await fetchEvents(batch), lastBatch ? sliceCursor : undefined);
    }
    if (fresh.length === 0 && sliceCursor !== undefined) commit([], [], new Map(), sliceCursor);
  }

  // Sessions committed while running and not listed again: re-read them by id until they stop.
  const missing = [...running].filter((id) => !refreshed.has(id));
  await Promise.all(
    missing.map((id) =>
      limit(async () => {
        throwIfAborted(signal);
        try {
          refreshed.set(id, await client.getRestoreSession(id, signal));
        } catch (error) {
          if (!isNotFound(error)) throw error;
          store.forgetRunning(server, id);
          deps.onVanished?.(id);
        }
      }),
    ),
  );
  const toRefresh = [...refreshed.values()].sort(byCreationTime);
  for (let i = 0; i < toRefresh.length; i += options.batchSessions) {
    const batch = toRefresh.slice(i, i + options.batchSessions);
    commit([], batch, await fetchEvents(batch));
  }
  return { newSessions: newSessionCount, newEvents: newEventCount, refreshed: toRefresh.length };
}
