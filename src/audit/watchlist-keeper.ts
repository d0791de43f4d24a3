// Keeps one server's watchlist current: read from VBO at start and on an interval (sooner again
// after a failure), merged with the configuration's entries; a server whose audit endpoints fail
// keeps the last good list and says so once per change (vbo_audit_watchlist_up 0).
import type { Clock } from "../clock.ts";
import { describeError, toReason } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { WatchedSubject, Watchlist } from "./watchlist.ts";
import { readVboWatchlist, type WatchlistReader } from "./watchlist-source.ts";

export interface WatchlistKeeperOptions {
  readonly server: string;
  /** null: VBO's audit items are not read (only local entries count). */
  readonly reader: WatchlistReader | null;
  readonly local: readonly WatchedSubject[];
  readonly refreshMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Told after every read: whether it worked, and how many subjects the list has. */
  readonly report: (up: boolean, subjects: number) => void;
  /** At most this many subjects count (a label value each); the rest are ignored, with a warning. */
  readonly maxSubjects?: number;
}

export interface WatchlistKeeper {
  current(): Watchlist;
  /** Reads now; resolves when done (never rejects). */
  refresh(signal?: AbortSignal): Promise<void>;
  /** Reads at once, then on the interval; resolves after the first read (worked or not). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const RETRY_AFTER_FAILURE_MS = 60_000;

export function createWatchlistKeeper(options: WatchlistKeeperOptions): WatchlistKeeper {
  const logger = options.logger.child({ server: options.server, component: "watchlist" });
  const max = options.maxSubjects ?? 500;
  const controller = new AbortController();
  let fromVbo: readonly WatchedSubject[] = [];
  let list: Watchlist = { subjects: options.local.slice(0, max) };
  let lastReason: string | null | undefined;
  let warnedCap = false;
  let loop: Promise<void> | null = null;

  const publish = (up: boolean) => {
    const all = [...fromVbo, ...options.local];
    if (all.length > max && !warnedCap) {
      logger.warn(
        { subjects: all.length, limit: max },
        "the watchlist has more subjects than the limit; the ones beyond it are not watched",
      );
      warnedCap = true;
    }
    list = { subjects: all.slice(0, max) };
    options.report(up, list.subjects.length);
  };

  const refresh = async (signal?: AbortSignal): Promise<boolean> => {
    if (options.reader === null) {
      publish(true);
      return true;
    }
    try {
      fromVbo = await readVboWatchlist(options.reader, signal);
      publish(true);
      if (lastReason !== null)
        logger.info(
          { subjects: list.subjects.length },
          lastReason === undefined ? "watchlist read" : "watchlist read again",
        );
      lastReason = null;
      return true;
    } catch (error) {
      if (signal?.aborted) return false;
      publish(false);
      const reason = toReason(error);
      if (reason !== lastReason)
        logger.warn(
          { reason, err: describeError(error), subjects: list.subjects.length },
          "cannot read VBO's audit items; restore sessions are still polled and the last good watchlist stays in use",
        );
      lastReason = reason;
      return false;
    }
  };

  return {
    current: () => list,
    refresh: async (signal) => {
      await refresh(signal);
    },
    async start() {
      if (loop) return;
      const first = await refresh(controller.signal);
      loop = (async () => {
        let ok = first;
        while (!controller.signal.aborted) {
          try {
            await options.clock.sleep(
              ok ? options.refreshMs : Math.min(options.refreshMs, RETRY_AFTER_FAILURE_MS),
              controller.signal,
            );
          } catch {
            return;
          }
          ok = await refresh(controller.signal);
        }
      })();
    },
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
