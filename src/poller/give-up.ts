// When a session VBO reports ended is finished without the events it never sent readably (pure):
// each of its records still unreadable has been read a number of times since the session ended,
// over a stretch of time, so a record VBO fixes soon after is still taken.
import type { Unread } from "../pipeline/types.ts";
import type { EndedGrace } from "../state/quarantine-table.ts";
import type { UnreadableRecord } from "../vbo/unreadable.ts";

export interface GiveUpGrace {
  /** Reads since the session was seen ended that must still find each record unreadable. */
  readonly reads: number;
  /** How long (ms) after a record was first found unreadable with its session ended. */
  readonly afterMs: number;
}

/** Whether every record still unreadable has had its grace (false when none is quarantined). */
export function graceIsOver(
  graces: readonly EndedGrace[],
  nowMs: number,
  grace: GiveUpGrace,
): boolean {
  return (
    graces.length > 0 &&
    graces.every((g) => g.endedReads >= grace.reads && nowMs - g.endedSeenMs >= grace.afterMs)
  );
}

/** What the records of one read say the session lacks. */
export function unreadOf(records: readonly UnreadableRecord[]): Unread {
  return {
    events: records.filter((r) => r.kind === "event").length,
    eventList: records.some((r) => r.kind === "event_list"),
  };
}
