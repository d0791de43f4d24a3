// One poll of one server: read what is new or still running since the stored state, and commit it
// in bounded batches (each batch with its events, atomically, together with the log outbox).
import pLimit from "p-limit";
import type { Clock } from "../clock.ts";
import type { ExporterMetrics } from "../metrics/exporter-metrics.ts";
import type { BatchSink } from "../pipeline/types.ts";
import { isStopped, type LabelPolicy, type StateStore } from "../state/store.ts";
import type { RestoreEvent, RestoreSession, VboClient } from "../vbo/types.ts";
import { countStampedAhead, MAX_TRUSTED_CLOCK_OFFSET_MS, sliceCursorMs } from "./cursor.ts";
import { buildPollResult, byCreationTime, isRunningEvent, sliceRange } from "./diff.ts";
import { sessionsToReread } from "./reread.ts";

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
  /** When each running session was last re-read by id; kept by the caller from poll to poll. */
  readonly lastRereadMs?: Map<string, number>;
  /** The latest read of each running session with events held back; kept from poll to poll. */
  readonly heldBack?: Map<string, HeldBack>;
}

/** A running session as last read, with events still Running that were not taken yet. */
export interface HeldBack {
  readonly session: RestoreSession;
  readonly events: readonly RestoreEvent[];
}

export interface CycleOutcome {
  readonly newSessions: number;
  readonly newEvents: number;
  readonly refreshed: number;
  /** VBO's clock minus this host's (ms), from the Date of its latest answer; null when unknown. */
  readonly clockOffsetMs: number | null;
  /** Sessions listed with a start later than VBO's own now: stamped while its clock ran ahead. */
  readonly stampedAhead: number;
  /** Where the cursor was moved back to when it was ahead of VBO's clock; null when it was not. */
  readonly cursorPulledBackToMs: number | null;
}

/**
 * How long an event VBO shows as Running is waited for before it is taken as it is: well inside
 * the hour in which Loki accepts an entry older than the newest of its stream.
 */
export const RUNNING_EVENT_WAIT_MS = 30 * 60_000;

/** How far past VBO's now a session may be stamped before it counts as stamped ahead. */
const STAMP_TOLERANCE_MS = 60_000;

/** The map without entries for sessions no longer running (it is kept from poll to poll). */
function keepOnly<T>(bySession: Map<string, T>, running: ReadonlySet<string>): Map<string, T> {
  for (const id of bySession.keys()) if (!running.has(id)) bySession.delete(id);
  return bySession;
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

export async function runPollCycle(deps: CycleDeps, signal?: AbortSignal): Promise<CycleOutcome> {
  const { server, client, store, sinks, metrics, clock, options } = deps;
  const limit = pLimit(Math.max(1, options.eventConcurrency));
  const observedAtNs = clock.nowNs();
  const startedMs = clock.now();
  const state = store.serverState(server);
  const running = new Set(state.runningSessionIds);
  const heldBack = keepOnly(deps.heldBack ?? new Map<string, HeldBack>(), running);
  const fromMs =
    state.cursorMs === null ? startedMs - options.lookbackMs : state.cursorMs - options.overlapMs;
  const refreshed = new Map<string, RestoreSession>();
  let newSessionCount = 0;
  let newEventCount = 0;
  let stampedAhead = 0;
  let cursorNowMs = state.cursorMs;
  /** VBO's own now, as the Date of the first answer of the latest listing showed it. */
  let vboNowMs: number | undefined;
  const serverNowMs = () => {
    const reading = client.serverTime();
    if (reading === null) return undefined;
    // A Date this far off is a broken header (a proxy's, say), not VBO's clock: following it would
    // move the cursor decades back and make every poll read the whole range again.
    return Math.abs(reading.serverMs - reading.localMs) > MAX_TRUSTED_CLOCK_OFFSET_MS
      ? undefined
      : reading.serverMs;
  };

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
    takeAllEventsOf?: ReadonlySet<string>,
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
      waitForRunningSinceNs:
        BigInt(Math.floor((serverNowMs() ?? clock.now()) - RUNNING_EVENT_WAIT_MS)) * 1_000_000n,
      ...(takeAllEventsOf ? { takeAllEventsOf } : {}),
    });
    throwIfAborted(signal);
    const counts = store.commitPoll(result, sinks, options.policy, cursorMs);
    if (cursorMs !== undefined) cursorNowMs = Math.max(cursorNowMs ?? cursorMs, cursorMs);
    metrics.applyCommitted(counts);
    for (const session of [...newSessions, ...refreshedSessions]) {
      const list = events.get(session.id) ?? [];
      if (!isStopped(session) && list.some(isRunningEvent))
        heldBack.set(session.id, { session, events: list });
      else heldBack.delete(session.id);
    }
    newSessionCount += result.newSessions.length;
    newEventCount += result.newEvents.length;
  };

  for (const slice of sliceRange(fromMs, startedMs, options.sliceMs)) {
    throwIfAborted(signal);
    const listed = new Map<string, RestoreSession>();
    const query = {
      // A millisecond of overlap with the previous slice: whether VBO's bounds include their
      // instant is not documented, and a session started exactly on a boundary must be in one.
      startTimeFrom: new Date(slice.fromMs - 1),
      ...(slice.toMs === null ? {} : { startTimeTo: new Date(slice.toMs) }),
    };
    // VBO's now when it answered the first page: whatever VBO starts later is stamped at or after
    // it (later pages come only after this page's sessions have been taken).
    let answeredAtMs: number | undefined;
    for await (const session of client.listRestoreSessions(query, signal)) {
      answeredAtMs ??= serverNowMs();
      listed.set(session.id, session);
    }
    answeredAtMs ??= serverNowMs();
    if (answeredAtMs !== undefined) vboNowMs = answeredAtMs;
    stampedAhead += countStampedAhead(listed.values(), answeredAtMs, STAMP_TOLERANCE_MS);
    const known = store.knownSessionIds(server, [...listed.keys()]);
    const fresh: RestoreSession[] = [];
    for (const session of listed.values()) {
      if (!known.has(session.id)) fresh.push(session);
      else if (running.has(session.id)) refreshed.set(session.id, session);
    }
    fresh.sort(byCreationTime);
    const sliceCursor = sliceCursorMs(slice, listed.values(), answeredAtMs);
    for (let i = 0; i < fresh.length; i += options.batchSessions) {
      const batch = fresh.slice(i, i + options.batchSessions);
      const lastBatch = i + options.batchSessions >= fresh.length;
      commit(batch, [], await fetchEvents(batch), lastBatch ? sliceCursor : undefined);
    }
    if (fresh.length === 0 && sliceCursor !== undefined) commit([], [], new Map(), sliceCursor);
  }

  // A cursor set while VBO's clock ran ahead (then stepped back) would hide every session VBO
  // starts until its clock catches up: move it back to VBO's now, so the next poll reads from there.
  const cursorPulledBackToMs =
    vboNowMs !== undefined &&
    cursorNowMs !== null &&
    cursorNowMs > vboNowMs &&
    store.pullCursorBack(server, vboNowMs)
      ? vboNowMs
      : null;

  // Sessions committed while running and not listed again: re-read them by id until they stop
  // (long-running ones less often, see reread.ts).
  const lastReread = keepOnly(deps.lastRereadMs ?? new Map<string, number>(), running);
  const vanished: string[] = [];
  const missing = sessionsToReread(state.runningSince, lastReread, startedMs).filter(
    (id) => !refreshed.has(id),
  );
  await Promise.all(
    missing.map((id) =>
      limit(async () => {
        throwIfAborted(signal);
        try {
          refreshed.set(id, await client.getRestoreSession(id, signal));
          lastReread.set(id, startedMs);
        } catch (error) {
          if (!isNotFound(error)) throw error;
          vanished.push(id);
        }
      }),
    ),
  );
  // A session VBO no longer has: its events held back as Running are taken as last read, once.
  for (const id of vanished) {
    const last = heldBack.get(id);
    if (last) commit([], [last.session], new Map([[id, last.events]]), undefined, new Set([id]));
    heldBack.delete(id);
    store.forgetRunning(server, id);
    deps.onVanished?.(id);
  }
  const toRefresh = [...refreshed.values()].sort(byCreationTime);
  for (let i = 0; i < toRefresh.length; i += options.batchSessions) {
    const batch = toRefresh.slice(i, i + options.batchSessions);
    commit([], batch, await fetchEvents(batch));
  }
  const seen = client.serverTime();
  return {
    newSessions: newSessionCount,
    newEvents: newEventCount,
    refreshed: toRefresh.length,
    clockOffsetMs: seen === null ? null : seen.serverMs - seen.localMs,
    stampedAhead,
    cursorPulledBackToMs,
  };
}
