// What one poll cycle hands to the state store, and the hook through which other sinks (the log
// outbox) write inside the same transaction.
import type { StateTransaction } from "../state/transaction.ts";
import type { RestoreEvent, RestoreSession } from "../vbo/types.ts";

/** The outcome of one poll of one server: only what is new or changed since the stored state. */
export interface PollResult {
  readonly server: string;
  /** Nanoseconds since the epoch when this poll read the data (OTLP observed timestamp). */
  readonly observedAtNs: bigint;
  /** Sessions never seen before (each counted once in vbo_restore_sessions_total). */
  readonly newSessions: readonly RestoreSession[];
  /** Sessions already known whose fields changed (e.g. still Working with new data). */
  readonly updatedSessions: readonly RestoreSession[];
  /** Sessions that reached Stopped in this poll (new or known; each counted once when finished). */
  readonly finishedSessions: readonly RestoreSession[];
  /** Events never seen before, each with the session it belongs to (as of this poll). */
  readonly newEvents: readonly SessionEvent[];
  /**
   * Finished sessions (by id) whose events VBO never sent readably: finished without them after a
   * grace (their records stay in the quarantine). Absent or without the id: nothing is missing.
   */
  readonly unread?: ReadonlyMap<string, Unread>;
}

/** What a session finished without its unreadable records lacks. */
export interface Unread {
  /** Events VBO listed that could not be read: never counted. */
  readonly events: number;
  /** Its events list itself could not be read (how many events it lacks is unknown). */
  readonly eventList: boolean;
}

export interface SessionEvent {
  readonly session: RestoreSession;
  readonly event: RestoreEvent;
  /** The watched subject (as the watchlist names it) the event touched; absent when none. */
  readonly watched?: string;
}

/**
 * A consumer that must write in the same transaction as the state store's batch commit, so that a
 * crash either keeps both or neither (e.g. the OTLP log outbox).
 */
export interface BatchSink {
  /** Called inside the open transaction, synchronously; a throw rolls the whole batch back. */
  writeInTransaction(tx: StateTransaction, batch: PollResult): void;
}
