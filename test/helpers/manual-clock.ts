// A clock that only moves when told to (or when something sleeps on it), for fast timeline tests.
import type { Clock } from "../../src/clock.ts";

export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(ms: number): void;
}

export function manualClock(startMs: number): ManualClock {
  let now = startMs;
  return {
    now: () => now,
    nowNs: () => BigInt(now) * 1_000_000n,
    sleep: (ms, signal) => {
      if (signal?.aborted) return Promise.reject(signal.reason);
      now += Math.max(0, ms);
      return new Promise((resolve) => setImmediate(resolve));
    },
    advance: (ms) => {
      now += ms;
    },
    set: (ms) => {
      now = ms;
    },
  };
}
