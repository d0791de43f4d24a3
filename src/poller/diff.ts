// Pure: from what the server returned and what the state knows, the PollResult of one batch.
import type { PollResult, SessionEvent, Unread } from "../pipeline/types.ts";
import { isStopped } from "../state/store.ts";
import type { RestoreEvent, RestoreSession } from "../vbo/types.ts";
import type { BatchPart } from "./batch-builder.ts";

export interface BatchInput {
  readonly server: string;
  readonly observedAtNs: bigint;
  /** What the batch holds of each session, in commit order (one part per session). */
  readonly parts: readonly BatchPart[];
  /** Event ids already committed, per session (none for a session's first part as new). */
  readonly seenEvents: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * An event still Running that started before this instant is taken as it is rather than waited
   * for; undefined waits for every one (see isWaitedFor).
   */
  readonly waitForRunningSinceNs?: bigint;
}

export interface BuiltBatch {
  readonly result: PollResult;
  /** Per session, the events left for a later poll because they are still Running. */
  readonly waited: ReadonlyMap<string, readonly RestoreEvent[]>;
  /** Per session, the offset of its first event held back, or else the offset past the part. */
  readonly nextOffsets: ReadonlyMap<string, number>;
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

function splitEvents(
  part: BatchPart,
  input: BatchInput,
): { taken: SessionEvent[]; waited: RestoreEvent[]; firstWaited: number } {
  const { session } = part;
  const seen = input.seenEvents.get(session.id);
  const final = isStopped(session) || part.takeAll;
  const fresh = new Map<string, RestoreEvent>();
  const waited: RestoreEvent[] = [];
  let firstWaited = part.events.length;
  for (const [index, event] of part.events.entries()) {
    if (seen?.has(event.id) || fresh.has(event.id)) continue;
    if (!final && isWaitedFor(event, input)) {
      if (waited.length === 0) firstWaited = index;
      waited.push(event);
    } else fresh.set(event.id, event);
  }
  const taken = [...fresh.values()]
    .sort(
      (a, b) =>
        a.order - b.order ||
        (a.startTime.ns < b.startTime.ns ? -1 : a.startTime.ns > b.startTime.ns ? 1 : 0),
    )
    .map((event) => ({ session, event }));
  return { taken, waited, firstWaited };
}

/**
 * The PollResult of one batch. A session is new in its first part only, and finished only in its
 * last part: a session cut into several batches stays running for the store until its last one.
 */
export function buildPollResult(input: BatchInput): BuiltBatch {
  const newSessions: RestoreSession[] = [];
  const finishedSessions: RestoreSession[] = [];
  const updatedSessions: RestoreSession[] = [];
  const newEvents: SessionEvent[] = [];
  const unread = new Map<string, Unread>();
  const waited = new Map<string, readonly RestoreEvent[]>();
  const nextOffsets = new Map<string, number>();
  for (const part of input.parts) {
    const { session } = part;
    if (part.role === "new") newSessions.push(session);
    if (part.last && isStopped(session)) {
      finishedSessions.push(session);
      if (part.unread !== undefined) unread.set(session.id, part.unread);
    } else if (part.role === "refresh") updatedSessions.push(session);
    const split = splitEvents(part, input);
    newEvents.push(...split.taken);
    if (split.waited.length > 0) waited.set(session.id, split.waited);
    nextOffsets.set(session.id, part.fromOffset + split.firstWaited);
  }
  return {
    result: {
      server: input.server,
      observedAtNs: input.observedAtNs,
      newSessions,
      updatedSessions,
      finishedSessions,
      newEvents,
      ...(unread.size === 0 ? {} : { unread }),
    },
    waited,
    nextOffsets,
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
