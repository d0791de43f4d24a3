// What a server poller remembers between polls, as one immutable value: each poll step takes it and
// returns the next one. It is this process's memory only; the state store holds what must survive.
import { isStopped } from "../state/store.ts";
import type { RestoreEvent, RestoreSession } from "../vbo/types.ts";

/** A running session as last read, with the events still Running that were not taken yet. */
export interface HeldBack {
  readonly session: RestoreSession;
  readonly events: readonly RestoreEvent[];
}

/** Where this poller is in VBO's change feed (v8), and the changes no poll has acted on yet. */
export interface ChangeFeedPosition {
  readonly token: string;
  /** Sessions changed since the last successful poll, with their latest eTag. */
  readonly updated: ReadonlyMap<string, number>;
  readonly deleted: ReadonlySet<string>;
}

export interface PollMemory {
  /** Running sessions with events held back as Running, as last read. */
  readonly heldBack: ReadonlyMap<string, HeldBack>;
  /** When each running session was last re-read by id (long-running ones are read less often). */
  readonly lastRereadMs: ReadonlyMap<string, number>;
  /** null before the first read of the feed; "unavailable" when the server offers none. */
  readonly changeFeed: ChangeFeedPosition | "unavailable" | null;
  /** The eTag (v8) of each running session as its events were last read and committed. */
  readonly eTags: ReadonlyMap<string, number>;
  /**
   * Per running session, the first offset of its events (VBO's order) not fully taken: the next
   * read lists from there, so a held-back Running event is read again and nothing before it.
   */
  readonly eventOffsets: ReadonlyMap<string, number>;
  /**
   * Running sessions whose latest full read (by id or listed) showed nothing new, with when it was
   * (epoch ms). Only their next read may list the events alone and skip the session itself: they
   * stopped only if VBO has added an event since (its "stopped" entry), while a read that took
   * events may already hold that entry.
   */
  readonly quiet: ReadonlyMap<string, number>;
}

export const EMPTY_POLL_MEMORY: PollMemory = {
  heldBack: new Map(),
  lastRereadMs: new Map(),
  changeFeed: null,
  eTags: new Map(),
  eventOffsets: new Map(),
  quiet: new Map(),
};

function keepOnly<T>(
  bySession: ReadonlyMap<string, T>,
  keep: (id: string) => boolean,
): ReadonlyMap<string, T> {
  for (const id of bySession.keys()) {
    if (!keep(id)) return new Map([...bySession].filter(([key]) => keep(key)));
  }
  return bySession;
}

/** The memory without what it holds for sessions no longer running. */
export function keepRunning(memory: PollMemory, running: ReadonlySet<string>): PollMemory {
  return keepSessions(memory, (id) => running.has(id));
}

function keepSessions(memory: PollMemory, keep: (id: string) => boolean): PollMemory {
  const next = {
    ...memory,
    quiet: keepOnly(memory.quiet, keep),
    heldBack: keepOnly(memory.heldBack, keep),
    lastRereadMs: keepOnly(memory.lastRereadMs, keep),
    eTags: keepOnly(memory.eTags, keep),
    eventOffsets: keepOnly(memory.eventOffsets, keep),
  };
  const same =
    next.heldBack === memory.heldBack &&
    next.lastRereadMs === memory.lastRereadMs &&
    next.eTags === memory.eTags &&
    next.eventOffsets === memory.eventOffsets &&
    next.quiet === memory.quiet;
  return same ? memory : next;
}

/** What one committed part of a session's read changes in the memory. */
export interface CommittedPart {
  readonly session: RestoreSession;
  /** The first part of this session in this poll (an earlier read's held-back events are replaced). */
  readonly first: boolean;
  /** The last part of this session in this poll. */
  readonly last: boolean;
  /** The session was committed before this poll (not new in it). */
  readonly known: boolean;
  /** Events this part took (committed). */
  readonly took: number;
  /** When the session itself was read (epoch ms). */
  readonly readAtMs: number;
  /** Events of this part left for a later poll because they are still Running. */
  readonly waited: readonly RestoreEvent[];
  /** The offset of the first event held back, or else the offset just past this part's events. */
  readonly nextOffset: number;
  /** The session was re-read by id at this instant (epoch ms). */
  readonly rereadAtMs?: number;
}

/** The memory after a batch was committed. */
export function rememberCommitted(memory: PollMemory, parts: readonly CommittedPart[]): PollMemory {
  if (parts.length === 0) return memory;
  const heldBack = new Map(memory.heldBack);
  const lastRereadMs = new Map(memory.lastRereadMs);
  const eTags = new Map(memory.eTags);
  const eventOffsets = new Map(memory.eventOffsets);
  const quiet = new Map(memory.quiet);
  for (const part of parts) {
    const id = part.session.id;
    if (part.last && isStopped(part.session)) {
      // Finished: nothing of it is read again.
      for (const map of [heldBack, lastRereadMs, eTags, eventOffsets, quiet]) map.delete(id);
      continue;
    }
    const earlier = part.first ? [] : (heldBack.get(id)?.events ?? []);
    // An event held back by an earlier part of this poll comes first: the offset stays there.
    if (earlier.length === 0) eventOffsets.set(id, part.nextOffset);
    const events = earlier.length === 0 ? part.waited : [...earlier, ...part.waited];
    if (events.length === 0) heldBack.delete(id);
    else heldBack.set(id, { session: part.session, events });
    if (part.rereadAtMs !== undefined) lastRereadMs.set(id, part.rereadAtMs);
    if (part.last && part.session.eTag !== null) eTags.set(id, part.session.eTag);
    if (part.first && part.last && part.known && part.took === 0) quiet.set(id, part.readAtMs);
    else quiet.delete(id);
  }
  return { ...memory, heldBack, lastRereadMs, eTags, eventOffsets, quiet };
}

/** The memory once a running session was read and showed nothing new. */
export function rememberRead(memory: PollMemory, id: string, atMs: number): PollMemory {
  const lastRereadMs = new Map(memory.lastRereadMs);
  lastRereadMs.set(id, atMs);
  return { ...memory, lastRereadMs };
}

/** The memory once a session the server no longer has is forgotten. */
export function forgetSession(memory: PollMemory, id: string): PollMemory {
  return keepSessions(memory, (key) => key !== id);
}

/** The memory once a poll has acted on every change read from the feed. */
export function changesActedOn(memory: PollMemory): PollMemory {
  const feed = memory.changeFeed;
  if (feed === null || feed === "unavailable") return memory;
  if (feed.updated.size === 0 && feed.deleted.size === 0) return memory;
  return { ...memory, changeFeed: { token: feed.token, updated: new Map(), deleted: new Set() } };
}
