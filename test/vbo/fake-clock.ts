// A test clock whose sleeps return at once and move virtual time forward by the slept amount.
import type { Clock } from "../../src/clock.ts";

export interface FakeClock extends Clock {
  /** Every sleep asked for, in order (ms). */
  readonly sleeps: number[];
  advance(ms: number): void;
}

export function fakeClock(startMs = Date.UTC(2026, 0, 1)): FakeClock {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    nowNs: () => BigInt(now) * 1_000_000n,
    advance: (ms) => {
      now += ms;
    },
    sleep: (ms, signal) => {
      if (signal?.aborted) return Promise.reject(signal.reason);
      sleeps.push(ms);
      now += Math.max(0, ms);
      return new Promise((resolve) => setImmediate(resolve));
    },
  };
}
