// Reports a large outbox drain as it goes: records left, the pace and the time left, in a log line
// at a steady cadence (time-based, whatever the chunk sizes), and the totals once it ends.
import type { Clock } from "../clock.ts";
import { type Every, realEvery } from "../every.ts";
import type { Logger } from "../logger.ts";

export const DRAIN_PROGRESS_INTERVAL_MS = 10_000;

export interface DrainProgressDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly pending: () => number;
  readonly intervalMs?: number;
  readonly every?: Every;
}

export interface DrainProgress {
  /** Records delivered and dead-lettered so far in the pass. */
  advance(sent: number): void;
  end(): void;
}

/** Watches one sender pass: silent unless it lasts an interval or more. */
export function watchDrain(deps: DrainProgressDeps): DrainProgress {
  const { logger, clock } = deps;
  const startedMs = clock.now();
  let sent = 0;
  let lines = 0;
  const pace = () => {
    const seconds = Math.max(0.001, (clock.now() - startedMs) / 1000);
    return { seconds, perSecond: Math.round((sent / seconds) * 10) / 10 };
  };
  const stop = (deps.every ?? realEvery)(deps.intervalMs ?? DRAIN_PROGRESS_INTERVAL_MS, () => {
    lines++;
    const left = deps.pending();
    const { seconds, perSecond } = pace();
    logger.info(
      {
        recordsLeft: left,
        recordsSent: sent,
        recordsPerSecond: perSecond,
        elapsedSeconds: Math.round(seconds),
        remainingSeconds: perSecond > 0 ? Math.round(left / perSecond) : null,
      },
      "sending the outbox to the log receiver",
    );
  });
  return {
    advance(count) {
      sent += count;
    },
    end() {
      stop();
      if (lines === 0) return;
      const { seconds, perSecond } = pace();
      logger.info(
        {
          recordsSent: sent,
          recordsLeft: deps.pending(),
          recordsPerSecond: perSecond,
          elapsedSeconds: Math.round(seconds),
        },
        "the outbox drain is over",
      );
    },
  };
}
