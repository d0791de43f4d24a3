// Holds a counter's label set at 0 for a while when it is first counted, so every scraper stores a
// 0 before the first value and increase()/rate() count the first restore of a new client host or
// organization like any other (a series that starts at its value is invisible to them).

export interface NewSeriesHold {
  /**
   * Counts `apply` under `key`: at once when the key is exposed already, otherwise `expose` puts the
   * series up at 0 now and `apply` (with later ones for the same key) waits until the hold is over.
   */
  count(key: string, expose: () => void, apply: () => void): void;
  /** Marks a key as exposed already (hydrated from the state, initialised at 0, or history). */
  known(key: string): void;
  /** Applies the increments whose hold is over; called before every scrape. */
  release(): void;
  /** Increments still held back, for tests and the landing page. */
  pending(): number;
}

export function createNewSeriesHold(options: {
  readonly holdMs: number;
  readonly now: () => number;
}): NewSeriesHold {
  const exposed = new Set<string>();
  const held = new Map<string, { readonly until: number; readonly apply: (() => void)[] }>();
  return {
    count(key, expose, apply) {
      const waiting = held.get(key);
      if (waiting) {
        waiting.apply.push(apply);
        return;
      }
      if (exposed.has(key) || options.holdMs <= 0) {
        exposed.add(key);
        apply();
        return;
      }
      exposed.add(key);
      expose();
      held.set(key, { until: options.now() + options.holdMs, apply: [apply] });
    },
    known(key) {
      exposed.add(key);
    },
    release() {
      const now = options.now();
      for (const [key, waiting] of held) {
        if (waiting.until > now) continue;
        held.delete(key);
        for (const apply of waiting.apply) apply();
      }
    },
    pending() {
      let n = 0;
      for (const waiting of held.values()) n += waiting.apply.length;
      return n;
    },
  };
}
