// Lists a poll's time slices one by one, as the pipeline asks for more work, and plans in commit
// order what to read: the sessions never committed (by creationTime), a mark after each slice (how
// far the cursor may move once everything before it is committed), the quarantined sessions read
// again by id, then the running sessions.
import type { ListSessionsQuery, RestoreSession } from "../vbo/types.ts";
import { type OnUnreadable, RecordError } from "../vbo/unreadable.ts";
import { countStampedAhead, sliceCursorMs } from "./cursor.ts";
import { byCreationTime, type Slice, sliceRange } from "./diff.ts";
import type { PollMemory } from "./poll-memory.ts";
import { sessionsToReread } from "./reread.ts";

export type WorkItem =
  /** A session never committed: committed with all its events. */
  | { readonly kind: "new"; readonly session: RestoreSession }
  /**
   * A running session to read again, its events from `fromOffset` on: as listed, or (null) re-read
   * by id first. `probe`: list its events first and re-read it by id only when they show news.
   */
  | {
      readonly kind: "refresh";
      readonly id: string;
      readonly listed: RestoreSession | null;
      readonly fromOffset: number;
      readonly probe: boolean;
    }
  /** A running session the change feed says is deleted. */
  | { readonly kind: "gone"; readonly id: string }
  /** The end of a slice: every session listed before this item is committed once it is. */
  | {
      readonly kind: "mark";
      readonly cursorMs: number | undefined;
      /** VBO's now when it answered the slice's first page; undefined when unknown. */
      readonly answeredAtMs: number | undefined;
      /** Sessions of the slice VBO stamped later than its own now. */
      readonly stampedAhead: number;
    };

export interface PlanInput {
  readonly fromMs: number;
  readonly nowMs: number;
  readonly sliceMs: number;
  /** The sessions the state holds as running, with their start (epoch ms). */
  readonly running: ReadonlyMap<string, number>;
  readonly memory: RefreshMemory;
  /** Whether a session has an event held back for longer than the wait (to be taken now). */
  readonly overdue: (id: string) => boolean;
  readonly listSessions: (
    query: ListSessionsQuery,
    onUnreadable: OnUnreadable,
  ) => AsyncIterable<RestoreSession>;
  /** Keeps a session that could not be read (it is passed over; the poll goes on). */
  readonly quarantine: OnUnreadable;
  /** Running sessions with a quarantined event or events list: their events are read in full. */
  readonly retryEvents: ReadonlySet<string>;
  /** Quarantined sessions never committed, read again by id after the slices. */
  readonly retrySessions: readonly string[];
  readonly getSession: (id: string) => Promise<RestoreSession>;
  readonly knownSessionIds: (ids: readonly string[]) => ReadonlySet<string>;
  /** VBO's now as its latest answer showed it; undefined when unknown or not believable. */
  readonly serverNowMs: () => number | undefined;
}

/**
 * A quiet session (see PollMemory.quiet) is still read in full this often: should a server stop a
 * session without the "stopped" entry the API documents, it is still seen stopped.
 */
export const FULL_READ_EVERY_MS = 3_600_000;

/** How far past VBO's now a session may be stamped before it counts as stamped ahead. */
const STAMP_TOLERANCE_MS = 60_000;

/** What one listed slice adds to the plan (pure). */
export function planSlice(
  listed: readonly RestoreSession[],
  known: ReadonlySet<string>,
  running: ReadonlyMap<string, unknown>,
  takenInThisPoll: ReadonlySet<string>,
): { fresh: RestoreSession[]; runningListed: RestoreSession[] } {
  const fresh: RestoreSession[] = [];
  const runningListed: RestoreSession[] = [];
  for (const session of listed) {
    // A session on the boundary of two slices is listed by both (and a server that ignores
    // startTimeTo lists it in every later slice); the state may not know it yet.
    if (takenInThisPoll.has(session.id)) continue;
    if (!known.has(session.id)) fresh.push(session);
    else if (running.has(session.id)) runningListed.push(session);
  }
  fresh.sort(byCreationTime);
  return { fresh, runningListed };
}

function sliceQuery(slice: Slice): ListSessionsQuery {
  return {
    // A millisecond of overlap with the previous slice: whether VBO's bounds include their
    // instant is not documented, and a session started exactly on a boundary must be in one.
    startTimeFrom: new Date(slice.fromMs - 1),
    ...(slice.toMs === null ? {} : { startTimeTo: new Date(slice.toMs) }),
  };
}

/** What the poller remembers that decides which running sessions are read again. */
export type RefreshMemory = Pick<
  PollMemory,
  "lastRereadMs" | "eTags" | "eventOffsets" | "changeFeed" | "quiet"
>;

/**
 * The running sessions to read again, oldest first (pure). With VBO's change feed, only those
 * whose eTag changed (or is unknown); without it, every one listed and those due by id, each
 * with one request when its events since the offset show nothing new.
 */
export function planRefresh(
  input: Pick<PlanInput, "running" | "memory" | "nowMs" | "overdue"> &
    Partial<Pick<PlanInput, "retryEvents">>,
  runningListed: ReadonlyMap<string, RestoreSession>,
): WorkItem[] {
  const { memory } = input;
  const feed = typeof memory.changeFeed === "object" ? memory.changeFeed : null;
  const due = new Set(sessionsToReread(input.running, memory.lastRereadMs, input.nowMs));
  const startOf = (id: string) => input.running.get(id) ?? 0;
  const ids = [...input.running.keys()].sort(
    (a, b) => startOf(a) - startOf(b) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const items: WorkItem[] = [];
  for (const id of ids) {
    if (feed?.deleted.has(id)) {
      items.push({ kind: "gone", id });
      continue;
    }
    const listed = runningListed.get(id) ?? null;
    const known = memory.eTags.get(id);
    const fromOffset = memory.eventOffsets.get(id) ?? 0;
    const refresh = (probe: boolean) =>
      items.push({ kind: "refresh", id, listed, fromOffset, probe });
    // A quarantined event may read well now: every event is listed again (the taken ones are
    // known by id), until one read of them all is clean.
    if (input.retryEvents?.has(id) === true)
      items.push({ kind: "refresh", id, listed, fromOffset: 0, probe: false });
    else if (input.overdue(id)) refresh(false);
    else if (listed !== null) {
      if (listed.eTag === null || listed.eTag !== known) refresh(false);
    } else if (feed !== null) {
      const changed = feed.updated.get(id);
      if (known === undefined || (changed !== undefined && changed !== known)) refresh(false);
    } else if (due.has(id)) {
      const quietSince = memory.quiet.get(id);
      const probe =
        quietSince !== undefined &&
        input.nowMs - quietSince < FULL_READ_EVERY_MS &&
        memory.eventOffsets.has(id);
      refresh(probe);
    }
  }
  return items;
}

/** Ids planned as new in a poll are first checked against the state once there are this many. */
const PLANNED_PRUNE_MIN = 1000;

/**
 * Drops the ids the state already holds from the ones planned as new (pure but for the state
 * read): the state says "known" of those, which keeps them out of later slices just the same, so
 * only the ones not committed yet need remembering. Quarantined sessions to read again by id stay
 * (being planned spares them that read).
 */
function forgetCommitted(
  planned: Set<string>,
  knownSessionIds: (ids: readonly string[]) => ReadonlySet<string>,
  keep: ReadonlySet<string>,
): void {
  for (const id of knownSessionIds([...planned])) if (!keep.has(id)) planned.delete(id);
}

export async function* planPoll(input: PlanInput): AsyncGenerator<WorkItem> {
  const runningListed = new Map<string, RestoreSession>();
  /**
   * Ids planned as new in this poll and not yet known to the state (a later slice's listing may
   * run before they commit). Without the pruning it held every session of a backfill (7 MB at
   * 100 000 sessions).
   */
  const planned = new Set<string>();
  const retrying = new Set(input.retrySessions);
  let pruneAt = PLANNED_PRUNE_MIN;
  for (const slice of sliceRange(input.fromMs, input.nowMs, input.sliceMs)) {
    if (planned.size >= pruneAt) {
      forgetCommitted(planned, input.knownSessionIds, retrying);
      pruneAt = Math.max(PLANNED_PRUNE_MIN, 2 * planned.size);
    }
    const listed = new Map<string, RestoreSession>();
    // VBO's now when it answered the first page: whatever VBO starts later is stamped at or after
    // it (later pages come only after this page's sessions have been taken).
    let answeredAtMs: number | undefined;
    for await (const session of input.listSessions(sliceQuery(slice), input.quarantine)) {
      answeredAtMs ??= input.serverNowMs();
      listed.set(session.id, session);
    }
    answeredAtMs ??= input.serverNowMs();
    const sessions = [...listed.values()];
    const plan = planSlice(
      sessions,
      input.knownSessionIds([...listed.keys()]),
      input.running,
      planned,
    );
    for (const session of plan.runningListed) runningListed.set(session.id, session);
    for (const session of plan.fresh) planned.add(session.id);
    for (const session of plan.fresh) yield { kind: "new", session };
    yield {
      kind: "mark",
      cursorMs: sliceCursorMs(slice, sessions, answeredAtMs),
      answeredAtMs,
      stampedAhead: countStampedAhead(sessions, answeredAtMs, STAMP_TOLERANCE_MS),
    };
  }
  for (const id of input.retrySessions) {
    if (planned.has(id)) continue;
    const session = await readAgain(input, id);
    if (session !== null && !input.knownSessionIds([id]).has(id)) {
      planned.add(id);
      yield { kind: "new", session };
    }
  }
  yield* planRefresh(input, runningListed);
}

/** A quarantined session read by id: null while it still cannot be read, or is gone. */
async function readAgain(input: PlanInput, id: string): Promise<RestoreSession | null> {
  try {
    return await input.getSession(id);
  } catch (error) {
    if (error instanceof RecordError && error.record !== null) {
      input.quarantine(error.record);
      return null;
    }
    if ((error as { reason?: unknown } | null)?.reason === "not_found") return null;
    throw error;
  }
}
