// Pure: which running sessions a poll re-reads by id. Young ones every poll; one Working for more
// than a day (often a restore VBO never closed) at most every ten minutes, so a handful of such
// sessions, each re-read with all its events, cannot make every idle poll heavy.

export const LONG_RUNNING_AFTER_MS = 24 * 3_600_000;
export const LONG_RUNNING_REREAD_EVERY_MS = 10 * 60_000;

/**
 * The ids of `running` to re-read now. `lastReadMs` holds when each was last re-read (this
 * process's memory: after a restart every session is read once more at once).
 */
export function sessionsToReread(
  running: ReadonlyMap<string, number>,
  lastReadMs: ReadonlyMap<string, number>,
  nowMs: number,
): string[] {
  const due: string[] = [];
  for (const [id, startedMs] of running) {
    const last = lastReadMs.get(id);
    const long = nowMs - startedMs > LONG_RUNNING_AFTER_MS;
    if (!long || last === undefined || nowMs - last >= LONG_RUNNING_REREAD_EVERY_MS) due.push(id);
  }
  return due;
}
