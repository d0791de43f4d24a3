// Repeated delivery errors as one log line per reason per interval, with a count: the first one at
// once, the repeats summed into the next line (written when the interval is over and the reason
// comes up again, or at the end of a sender pass), so a receiver that refuses everything cannot
// flood the exporter's own log.
import type { Clock } from "../clock.ts";
import type { Logger } from "../logger.ts";

/** How long repeats of one reason are summed up, by default. */
export const REPEAT_INTERVAL_MS = 10_000;

type Level = "warn" | "error";

export interface RepeatLog {
  /** One occurrence (counting `records`) of `reason`; logged now or summed into a later line. */
  note(
    level: Level,
    reason: string,
    fields: Record<string, unknown>,
    message: string,
    records: number,
  ): void;
  /** Writes the sums whose interval is over. */
  flush(): void;
}

interface Pending {
  level: Level;
  fields: Record<string, unknown>;
  message: string;
  lastLineMs: number;
  /** Occurrences and records since the last line. */
  times: number;
  records: number;
}

export function createRepeatLog(
  logger: Logger,
  clock: Clock,
  intervalMs: number = REPEAT_INTERVAL_MS,
): RepeatLog {
  const byReason = new Map<string, Pending>();
  const write = (entry: Pending, now: number) => {
    const summed = entry.times > 1;
    logger[entry.level](
      {
        ...entry.fields,
        records: entry.records,
        ...(summed ? { times: entry.times, intervalSeconds: intervalMs / 1000 } : {}),
      },
      summed
        ? `${entry.message} (${entry.times} times in the last ${intervalMs / 1000} s)`
        : entry.message,
    );
    entry.lastLineMs = now;
    entry.times = 0;
    entry.records = 0;
  };
  return {
    note(level, reason, fields, message, records) {
      const now = clock.now();
      const entry = byReason.get(reason);
      if (entry === undefined) {
        const fresh: Pending = { level, fields, message, lastLineMs: now, times: 1, records };
        byReason.set(reason, fresh);
        write(fresh, now);
        return;
      }
      entry.level = level;
      entry.fields = fields;
      entry.message = message;
      entry.times += 1;
      entry.records += records;
      if (now - entry.lastLineMs >= intervalMs) write(entry, now);
    },
    flush() {
      const now = clock.now();
      for (const [reason, entry] of byReason) {
        if (now - entry.lastLineMs < intervalMs) continue;
        if (entry.times > 0) write(entry, now);
        else byReason.delete(reason);
      }
    },
  };
}
