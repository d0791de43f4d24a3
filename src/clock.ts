// Injectable time source, so the poller, sender and tests never read the wall clock directly.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Nanoseconds since the Unix epoch (for observed timestamps). */
  nowNs(): bigint;
  /** Resolves after ms, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  nowNs: () => BigInt(Date.now()) * 1_000_000n,
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};
