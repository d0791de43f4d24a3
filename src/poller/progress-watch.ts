// Reports a long poll as it goes: a log line at a steady cadence (time-based, whatever the pages),
// one line with the totals at its end, the vbo_backfill_* gauges and the landing page's figures.
// A poll is watched when its range is a backfill (much longer than the overlap) or once it has run
// for one interval; a short poll leaves no trace.
import type { Clock } from "../clock.ts";
import { type Every, realEvery } from "../every.ts";
import type { Logger } from "../logger.ts";
import { type ProgressFigures, progressFigures, progressLogFields } from "./progress.ts";

/** How often a long poll reports, by default. */
export const PROGRESS_INTERVAL_MS = 10_000;
/** A range longer than this many overlaps is a backfill, reported from its start. */
const BACKFILL_OVERLAPS = 4;

/** What the cycle tells the watch. */
export interface PollProgress {
  begin(fromMs: number, toMs: number): void;
  advance(reachedMs: number, sessions: number, events: number): void;
}

export interface ProgressWatchDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly overlapMs: number;
  /** Sets the vbo_backfill_* gauges of this server. */
  readonly publish: (figures: ProgressFigures) => void;
  readonly intervalMs?: number;
  readonly every?: Every;
}

export interface ProgressWatch {
  /** The progress of a poll about to start; end() once it is over. */
  poll(): PollProgress & { end(ok: boolean): void };
  /** The figures of the watched poll under way; null when none is. */
  current(): ProgressFigures | null;
}

export function createProgressWatch(deps: ProgressWatchDeps): ProgressWatch {
  const { logger, clock } = deps;
  const intervalMs = deps.intervalMs ?? PROGRESS_INTERVAL_MS;
  const every = deps.every ?? realEvery;
  let shown: ProgressFigures | null = null;

  return {
    current: () => shown,
    poll() {
      let reading: Parameters<typeof progressFigures>[0] | null = null;
      let watched = false;
      let backfill = false;
      let stop: (() => void) | null = null;
      const figures = () =>
        reading === null ? null : progressFigures({ ...reading, nowMs: clock.now() });
      const show = () => {
        const now = figures();
        if (now === null) return null;
        shown = now;
        deps.publish(now);
        return now;
      };
      const tick = () => {
        watched = true;
        const now = show();
        if (now === null) return;
        logger.info(
          progressLogFields(now),
          backfill ? "reading the restore history" : "a long poll is under way",
        );
      };
      return {
        begin(fromMs, toMs) {
          reading = {
            fromMs,
            toMs,
            reachedMs: fromMs,
            sessions: 0,
            events: 0,
            startedMs: clock.now(),
            nowMs: clock.now(),
          };
          backfill = toMs - fromMs > BACKFILL_OVERLAPS * deps.overlapMs;
          if (backfill) {
            watched = true;
            logger.info(
              { from: new Date(fromMs).toISOString(), vboNow: new Date(toMs).toISOString() },
              "reading the restore history: progress every few seconds",
            );
            show();
          }
          stop = every(intervalMs, tick);
        },
        advance(reachedMs, sessions, events) {
          if (reading === null) return;
          reading = {
            ...reading,
            reachedMs: Math.max(reading.reachedMs, reachedMs),
            sessions,
            events,
          };
          if (watched) show();
        },
        end(ok) {
          stop?.();
          stop = null;
          if (reading !== null && watched) {
            if (ok) reading = { ...reading, reachedMs: reading.toMs };
            const last = show();
            if (last !== null) {
              const fields = progressLogFields(last);
              logger.info(
                {
                  sessions: fields.sessions,
                  events: fields.events,
                  elapsedSeconds: fields.elapsedSeconds,
                  sessionsPerSecond: fields.sessionsPerSecond,
                  eventsPerSecond: fields.eventsPerSecond,
                  ...(ok ? {} : { reached: fields.reached, percent: fields.percent }),
                },
                ok
                  ? backfill
                    ? "the restore history is read"
                    : "the long poll is done"
                  : "the long poll stopped before its end; the next poll goes on from where it was committed",
              );
            }
          }
          shown = null;
          reading = null;
        },
      };
    },
  };
}
