// Pure: from what the server returned and what the state knows, the PollResult of one batch.
import type { PollResult, SessionEvent } from "../pipeline/types.ts";
import { isStopped } from "../state/store.ts";
import type { RestoreEvent, RestoreSession } from "../vbo/types.ts";

export interface BatchInput {
  readonly server: string;
  readonly observedAtNs: bigint;
  /** Sessions the state has never committed. */
  readonly newSessions: readonly RestoreSession[];
  /** Sessions committed while running, as the server shows them now. */
  readonly refreshedSessions: readonly RestoreSession[];
  /** Every event the server lists for each session of this batch. */
  readonly eventsBySession: ReadonlyMap<string, readonly RestoreEvent[]>;
  /** Event ids already committed, per session (empty for new sessions). */
  readonly seenEvents: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * An event still Running that started before this instant is taken as it is rather than waited
   * for; undefined waits for every one (see isWaitedFor).
   */
  readonly waitForRunningSinceNs?: bigint;
  /** Sessions whose events are all taken as they are now (a session VBO no longer has). */
  readonly takeAllEventsOf?: ReadonlySet<string>;
}

/** Sessions in start order (ties by id), so batches and records follow time. */
export function byCreationTime(a: RestoreSession, b: RestoreSession): number {
  if (a.creationTime.ns !== b.creationTime.ns)
    return a.creationTime.ns < b.creationTime.ns ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Whether VBO still shows the event as in progress (it updates such events in place). */
export function isRunningEvent(event: RestoreEvent): boolean {
  return event.status.toLowerCase() === "running";
}

/**
 * An event still Running is taken once it has finished, or with the session's final read when the
 * session stops: it is counted and shipped once, as it ended. Waiting has a limit: an item running
 * for long is taken as it is then, so its audit record (stamped with its start) still reaches Loki
 * within the window in which a stream accepts entries older than its newest one.
 */
function isWaitedFor(event: RestoreEvent, input: BatchInput): boolean {
  if (!isRunningEvent(event)) return false;
  const since = input.waitForRunningSinceNs;
  return since === undefined || event.startTime.ns >= since;
}

function unseenEvents(session: RestoreSession, input: BatchInput): SessionEvent[] {
  const seen = input.seenEvents.get(session.id);
  const final = isStopped(session) || input.takeAllEventsOf?.has(session.id) === true;
  const fresh = new Map<string, RestoreEvent>();
  for (const event of input.eventsBySession.get(session.id) ?? []) {
    if (seen?.has(event.id) || fresh.has(event.id)) continue;
    if (!final && isWaitedFor(event, input)) continue;
    fresh.set(event.id, event);
  }
  return [...fresh.values()]
    .sort(
      (a, b) =>
        a.order - b.order ||
        (a.startTime.ns < b.startTime.ns ? -1 : a.startTime.ns > b.startTime.ns ? 1 : 0),
    )
    .map((event) => ({ session, event }));
}

export function buildPollResult(input: BatchInput): PollResult {
  const finishedSessions: RestoreSession[] = [];
  const updatedSessions: RestoreSession[] = [];
  const newEvents: SessionEvent[] = [];
  for (const session of input.newSessions) {
    if (isStopped(session)) finishedSessions.push(session);
    newEvents.push(...unseenEvents(session, input));
  }
  for (const session of input.refreshedSessions) {
    if (isStopped(session)) finishedSessions.push(session);
    else updatedSessions.push(session);
    newEvents.push(...unseenEvents(session, input));
  }
  return {
    server: input.server,
    observedAtNs: input.observedAtNs,
    newSessions: input.newSessions,
    updatedSessions,
    finishedSessions,
    newEvents,
  };
}

export interface Slice {
  readonly fromMs: number;
  /** Inclusive end; null for the last, open-ended slice. */
  readonly toMs: number | null;
}

/** Splits [fromMs, now] into slices of at most sliceMs, oldest first; the last one is open-ended. */
export function sliceRange(fromMs: number, nowMs: number, sliceMs: number): Slice[] {
  const slices: Slice[] = [];
  let start = fromMs;
  while (nowMs - start > sliceMs) {
    slices.push({ fromMs: start, toMs: start + sliceMs });
    start += sliceMs;
  }
  slices.push({ fromMs: start, toMs: null });
  return slices;
}
