// Pause lengths: exponential backoff with full jitter.

/** Full jitter: a random pause between 0 and min(cap, base·2^attempt) (attempt counts from 0). */
export function backoffDelayMs(
  attempt: number,
  random: () => number,
  baseMs = 500,
  capMs = 30_000,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}
