// Says once, not every poll, when VBO's clock and the exporter's disagree by more than the
// overlap, when VBO stamps sessions ahead of its own clock, and when either is over.
import type { Logger } from "../logger.ts";
import { MAX_TRUSTED_CLOCK_OFFSET_MS } from "./cursor.ts";

export interface ClockReport {
  /** VBO's clock minus the exporter's (ms); null when VBO's answers carry no Date. */
  readonly clockOffsetMs: number | null;
  /** Sessions the poll listed that VBO stamped later than its own now. */
  readonly stampedAhead: number;
  /** Where the poll moved a cursor that was ahead of VBO's clock; null when it did not. */
  readonly cursorPulledBackToMs: number | null;
}

export interface ClockWatch {
  /** Logs what changed since the previous successful poll. */
  observe(report: ClockReport): void;
}

export function createClockWatch(logger: Logger, overlapMs: number): ClockWatch {
  let skewed = false;
  let stampingAhead = false;
  return {
    observe({ clockOffsetMs, stampedAhead, cursorPulledBackToMs }) {
      if (clockOffsetMs !== null) {
        const offsetSeconds = Math.round(clockOffsetMs / 1000);
        const now = Math.abs(clockOffsetMs) > overlapMs;
        if (now && !skewed) {
          logger.warn(
            { offsetSeconds },
            Math.abs(clockOffsetMs) > MAX_TRUSTED_CLOCK_OFFSET_MS
              ? "VBO's answers carry a Date more than a day off the exporter's clock; it is not believed and polling follows the exporter's clock: fix the time sync (NTP) of the host that is wrong, or the proxy that rewrites Date"
              : "VBO's clock and the exporter's differ by more than the overlap; polling follows VBO's clock, but fix the time sync (NTP) of the host that is wrong",
          );
        } else if (!now && skewed) {
          logger.info({ offsetSeconds }, "VBO's clock and the exporter's agree again");
        }
        skewed = now;
      }
      const ahead = stampedAhead > 0;
      if (ahead && !stampingAhead) {
        logger.warn(
          { sessions: stampedAhead },
          "VBO lists restore sessions that start later than its own clock says it is (its clock ran ahead and was set back?); they are counted, and the cursor stays at VBO's now",
        );
      }
      stampingAhead = ahead;
      if (cursorPulledBackToMs !== null) {
        logger.warn(
          { cursor: new Date(cursorPulledBackToMs).toISOString() },
          "the poll cursor was ahead of VBO's clock (VBO's clock was set back?); reading again from VBO's now",
        );
      }
    },
  };
}
