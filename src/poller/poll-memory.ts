// What a server poller remembers between polls, as one immutable value: each poll step takes it and
// returns the next one. It is this process's memory only; the state store holds what must survive.
import type { RestoreEvent, RestoreSession } from "../vbo/types.ts";

/** A running session as last read, with the events still Running that were not taken yet. */
export interface HeldBack {
  readonly session: RestoreSession;
  readonly events: readonly RestoreEvent[];
}

export interface PollMemory {
  /** Running sessions with events held back as Running, as last read. */
  readonly heldBack: ReadonlyMap<string, HeldBack>;
  /** When each running session was last re-read by id (long-running ones are read less often). */
  readonly lastRereadMs: ReadonlyMap<string, number>;
}

export const EMPTY_POLL_MEMORY: PollMemory = { heldBack: new Map(), lastRereadMs: new Map() };

function keepOnly<T>(
  bySession: ReadonlyMap<string, T>,
  running: ReadonlySet<string>,
): ReadonlyMap<string, T> {
  for (const id of bySession.keys()) {
    if (!running.has(id)) return new Map([...bySession].filter(([key]) => running.has(key)));
  }
  return bySession;
}

/** The memory without what it holds for sessions no longer running. */
export function keepRunning(memory: PollMemory, running: ReadonlySet<string>): PollMemory {
  const heldBack = keepOnly(memory.heldBack, running);
  const lastRereadMs = keepOnly(memory.lastRereadMs, running);
  return heldBack === memory.heldBack && lastRereadMs === memory.lastRereadMs
    ? memory
    : { ...memory, heldBack, lastRereadMs };
}

/** What one committed part of a session's read changes in the memory. */
export interface CommittedPart {
  readonly session: RestoreSession;
  /** The first part of this session in this poll (an earlier read's held-back events are replaced). */
  readonly first: boolean;
  /** Events of this part left for a later poll because they are still Running. */
  readonly waited: readonly RestoreEvent[];
  /** The session was re-read by id at this instant (epoch ms). */
  readonly rereadAtMs?: number;
}

/** The memory after a batch was committed. */
export function rememberCommitted(memory: PollMemory, parts: readonly CommittedPart[]): PollMemory {
  if (parts.length === 0) return memory;
  const heldBack = new Map(memory.heldBack);
  const lastRereadMs = new Map(memory.lastRereadMs);
  for (const part of parts) {
    const id = part.session.id;
    const earlier = part.first ? [] : (heldBack.get(id)?.events ?? []);
    const events = earlier.length === 0 ? part.waited : [...earlier, ...part.waited];
    if (events.length === 0) heldBack.delete(id);
    else heldBack.set(id, { session: part.session, events });
    if (part.rereadAtMs !== undefined) lastRereadMs.set(id, part.rereadAtMs);
  }
  return { ...memory, heldBack, lastRereadMs };
}

/** The memory once a session the server no longer has is forgotten. */
export function forgetSession(memory: PollMemory, id: string): PollMemory {
  if (!memory.heldBack.has(id) && !memory.lastRereadMs.has(id)) return memory;
  const heldBack = new Map(memory.heldBack);
  const lastRereadMs = new Map(memory.lastRereadMs);
  heldBack.delete(id);
  lastRereadMs.delete(id);
  return { ...memory, heldBack, lastRereadMs };
}
