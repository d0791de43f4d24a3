// One poll of one server, as a pipeline: plan (list slices) → fetch (N requests in flight) → cut
// into bounded batches → commit in time order while the next reads are under way. It takes the
// poller's memory and returns the next one; the state store holds what survives a restart. An
// ended session whose unreadable events stay unreadable past the grace is finished without them.
import type { Clock } from "../clock.ts";
import type { ExporterMetrics } from "../metrics/exporter-metrics.ts";
import type { BatchSink, Unread } from "../pipeline/types.ts";
import { quarantineKey } from "../state/quarantine-table.ts";
import { isStopped, type LabelPolicy, type StateStore } from "../state/store.ts";
import type { VboClient } from "../vbo/types.ts";
import type { UnreadableRecord } from "../vbo/unreadable.ts";
import { type BatchBounds, createBatchBuilder } from "./batch-builder.ts";
import { readChangeFeed } from "./change-feed.ts";
import { type CommitContext, type CommitState, commitBatch } from "./commit-batch.ts";
import { MAX_TRUSTED_CLOCK_OFFSET_MS } from "./cursor.ts";
import { type Chunk, fetchInOrder } from "./fetch-pool.ts";
import { type GiveUpGrace, graceIsOver, unreadOf } from "./give-up.ts";
import { planPoll } from "./plan.ts";
import {
  changesActedOn,
  forgetSession,
  keepRunning,
  type PollMemory,
  rememberRead,
} from "./poll-memory.ts";
import type { PollProgress } from "./progress-watch.ts";

export interface CycleOptions {
  readonly lookbackMs: number;
  readonly overlapMs: number;
  readonly sliceMs: number;
  readonly batch: BatchBounds;
  readonly eventConcurrency: number;
  readonly giveUp: GiveUpGrace;
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
  /** Called once for each record quarantined for the first time (it could not be read). */
  readonly onQuarantined?: (record: UnreadableRecord) => void;
  /** Called once for each ended session finished without its unreadable records (given up). */
  readonly onGivenUp?: (sessionId: string, unread: Unread) => void;
  /** Told the poll's range, then how far its commits have come. */
  readonly progress?: PollProgress;
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
 * A poll's outcome and the memory for the next one. A failed poll returns its error and the memory
 * as of its last commit: every batch committed before the failure stays committed.
 */
export type CycleResult =
  | { readonly ok: true; readonly outcome: CycleOutcome; readonly memory: PollMemory }
  | { readonly ok: false; readonly error: unknown; readonly memory: PollMemory };

/**
 * How long an event VBO shows as Running is waited for before it is taken as it is: well inside
 * the hour in which Loki accepts an entry older than the newest of its stream.
 */
export const RUNNING_EVENT_WAIT_MS = 30 * 60_000;

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw signal.reason instanceof Error
      ? signal.reason
      : new DOMException("aborted", "AbortError");
}

/** Events read ahead of the commits, in batches' worth: enough to keep requests in flight. */
const READ_AHEAD_BATCHES = 2;

export async function runPollCycle(
  deps: CycleDeps,
  memoryBefore: PollMemory,
  signal?: AbortSignal,
): Promise<CycleResult> {
  const { server, client, store, clock, options } = deps;
  const startedMs = clock.now();
  const before = store.serverState(server);
  let state: CommitState = {
    memory: keepRunning(memoryBefore, new Set(before.runningSessionIds)),
    streaming: new Map(),
  };
  /** VBO's own now, from the Date of its latest answer, when believable. */
  const serverNowMs = () => {
    const reading = client.serverTime();
    if (reading === null) return undefined;
    // A Date this far off is a broken header (a proxy's, say), not VBO's clock: following it would
    // move the cursor decades back and make every poll read the whole range again.
    return Math.abs(reading.serverMs - reading.localMs) > MAX_TRUSTED_CLOCK_OFFSET_MS
      ? undefined
      : reading.serverMs;
  };
  const commitContext: CommitContext = {
    server,
    store,
    sinks: deps.sinks,
    policy: options.policy,
    metrics: deps.metrics,
    observedAtNs: clock.nowNs(),
    waitForRunningSinceNs: () =>
      BigInt(Math.floor((serverNowMs() ?? clock.now()) - RUNNING_EVENT_WAIT_MS)) * 1_000_000n,
    throwIfAborted: () => throwIfAborted(signal),
    startedMs,
  };
  const totals = { newSessions: 0, newEvents: 0, refreshed: 0, stampedAhead: 0 };
  let cursorNowMs = before.cursorMs;
  let vboNowMs: number | undefined;
  /** Per session, the events and events lists of its read in this poll that could not be read. */
  const unreadable = new Map<string, Map<string, UnreadableRecord>>();
  /** Kept in the state, told once; the poll goes on without the record. */
  const quarantine = (record: UnreadableRecord) => {
    if (store.quarantine.add(server, record, clock.now())) deps.onQuarantined?.(record);
    if (record.kind === "session" || record.sessionId === null) return;
    const ofSession = unreadable.get(record.sessionId) ?? new Map<string, UnreadableRecord>();
    ofSession.set(`${record.kind}/${quarantineKey(record)}`, record);
    unreadable.set(record.sessionId, ofSession);
  };
  /**
   * A read that ended with records quarantined: the session stays running, unless VBO reports it
   * ended and each of those records has had its grace; then it is finished without them.
   */
  const giveUpWhenDue = (chunk: Extract<Chunk, { kind: "events" }>) => {
    if (!chunk.troubled || !isStopped(chunk.session)) return chunk;
    const records = [...(unreadable.get(chunk.session.id)?.values() ?? [])];
    const nowMs = clock.now();
    const graces = store.quarantine.readAfterEnd(server, records, nowMs);
    if (graces.length < records.length || !graceIsOver(graces, nowMs, options.giveUp)) return chunk;
    return { ...chunk, last: true, unread: unreadOf(records) };
  };
  const commit = (batch: ReturnType<typeof builder.flush>) => {
    if (batch === null) return;
    const givenUp = batch.parts.filter((part) => part.last && part.unread !== undefined);
    // Marked before the commit: should the commit not happen, the next poll reads the session
    // again and decides anew (a record taken then is resolved).
    for (const part of givenUp) {
      const records = [...(unreadable.get(part.session.id)?.values() ?? [])];
      store.quarantine.giveUp(server, part.session.id, records, clock.now());
    }
    const done = commitBatch(commitContext, batch, state);
    for (const part of batch.parts) {
      // Taken now: a session read well in full resolves all its records, a new one itself.
      if (part.last && part.unread !== undefined) deps.onGivenUp?.(part.session.id, part.unread);
      else if (part.last) store.quarantine.resolveSession(server, part.session.id, clock.now());
      else if (part.role === "new")
        store.quarantine.resolveSession(server, part.session.id, clock.now(), ["session"]);
    }
    state = done.state;
    totals.newSessions += done.newSessions;
    totals.newEvents += done.newEvents;
    if (batch.cursorMs !== undefined)
      cursorNowMs = Math.max(cursorNowMs ?? batch.cursorMs, batch.cursorMs);
    if (cursorNowMs !== null)
      deps.progress?.advance(cursorNowMs, totals.newSessions, totals.newEvents);
  };
  const builder = createBatchBuilder(options.batch);

  try {
    // Changes first: whatever changes while the sessions are read is in the next read of the feed.
    const feed = await readChangeFeed(client, state.memory, 0, signal);
    state = { ...state, memory: feed.memory };
    const planned = state.memory;
    const waitSinceNs = commitContext.waitForRunningSinceNs();
    const open = store.quarantine.open(server);
    const retryEvents = new Set<string>();
    const quarantinedSessions: string[] = [];
    for (const row of open) {
      if (row.sessionId === null) continue;
      if (row.kind === "session") quarantinedSessions.push(row.sessionId);
      else if (before.runningSince.has(row.sessionId)) retryEvents.add(row.sessionId);
    }
    const knownQuarantined = store.knownSessionIds(server, quarantinedSessions);
    const fromMs =
      before.cursorMs === null
        ? startedMs - options.lookbackMs
        : before.cursorMs - options.overlapMs;
    deps.progress?.begin(fromMs, serverNowMs() ?? startedMs);
    const chunks = fetchInOrder(
      (planSignal) =>
        planPoll({
          fromMs,
          nowMs: startedMs,
          sliceMs: options.sliceMs,
          running: before.runningSince,
          memory: planned,
          overdue: (id) =>
            planned.heldBack.get(id)?.events.some((e) => e.startTime.ns < waitSinceNs) === true,
          listSessions: (query, onUnreadable) =>
            client.listRestoreSessions(query, planSignal, onUnreadable),
          quarantine,
          retryEvents,
          retrySessions: quarantinedSessions.filter((id) => !knownQuarantined.has(id)),
          getSession: (id) => client.getRestoreSession(id, planSignal),
          knownSessionIds: (ids) => store.knownSessionIds(server, ids),
          serverNowMs,
        }),
      {
        getSession: (id, s) => client.getRestoreSession(id, s),
        listEvents: (id, s, fromOffset, onUnreadable) =>
          client.listRestoreSessionEvents(id, s, {
            onUnreadable,
            ...(fromOffset > 0 ? { fromOffset } : {}),
          }),
        quarantine,
        showsNews: (id, events) => {
          const seen = store.seenEventIds(server, id);
          const held = new Map(planned.heldBack.get(id)?.events.map((e) => [e.id, e.status]));
          return events.some((e) => !seen.has(e.id) && held.get(e.id) !== e.status);
        },
        nowMs: () => startedMs,
      },
      {
        concurrency: options.eventConcurrency,
        chunkEvents: options.batch.maxEvents,
        aheadEvents: options.batch.maxEvents * READ_AHEAD_BATCHES,
        aheadSessions: options.batch.maxSessions * READ_AHEAD_BATCHES,
      },
      signal,
    );
    for await (const chunk of chunks) {
      if (chunk.kind === "mark") {
        if (chunk.answeredAtMs !== undefined) vboNowMs = chunk.answeredAtMs;
        totals.stampedAhead += chunk.stampedAhead;
        if (chunk.cursorMs !== undefined) builder.mark(chunk.cursorMs);
      } else if (chunk.kind === "unchanged") {
        state = { ...state, memory: rememberRead(state.memory, chunk.id, chunk.rereadAtMs) };
      } else if (chunk.kind === "vanished") {
        // A session VBO no longer has: its events held back as Running are taken as last read.
        commit(builder.flush());
        const last = state.memory.heldBack.get(chunk.id);
        if (last) {
          const piece = {
            ...last,
            role: "refresh",
            fromOffset: 0,
            first: true,
            last: true,
            takeAll: true,
          } as const;
          for (const batch of builder.add(piece)) commit(batch);
          commit(builder.flush());
        }
        store.forgetRunning(server, chunk.id);
        state = { ...state, memory: forgetSession(state.memory, chunk.id) };
        deps.onVanished?.(chunk.id);
      } else {
        if (chunk.role === "refresh" && chunk.first) totals.refreshed++;
        for (const batch of builder.add(giveUpWhenDue(chunk))) commit(batch);
      }
    }
    commit(builder.flush());
  } catch (error) {
    return { ok: false, error, memory: state.memory };
  }
  let cursorPulledBackToMs: number | null = null;
  try {
    // A cursor set while VBO's clock ran ahead (then stepped back) would hide every session VBO
    // starts until its clock catches up: move it back to VBO's now, so the next poll reads from
    // there.
    if (
      vboNowMs !== undefined &&
      cursorNowMs !== null &&
      cursorNowMs > vboNowMs &&
      store.pullCursorBack(server, vboNowMs)
    )
      cursorPulledBackToMs = vboNowMs;
  } catch (error) {
    return { ok: false, error, memory: state.memory };
  }
  const seen = client.serverTime();
  return {
    ok: true,
    memory: changesActedOn(state.memory),
    outcome: {
      newSessions: totals.newSessions,
      newEvents: totals.newEvents,
      refreshed: totals.refreshed,
      clockOffsetMs: seen === null ? null : seen.serverMs - seen.localMs,
      stampedAhead: totals.stampedAhead,
      cursorPulledBackToMs,
    },
  };
}
