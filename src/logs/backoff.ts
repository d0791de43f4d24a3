// Retry delays: exponential backoff with jitter, or the receiver's Retry-After when that is longer.

/** The longest Retry-After honoured; a larger value is treated as this. */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;

/**
 * Delay before retry number `attempt` (1-based): initial·2^(attempt-1) capped at max, with "equal
 * jitter" (between half and the full delay), or the receiver's Retry-After (capped) when longer.
 * Retry-After only ever lengthens the wait: a receiver that keeps asking for a short pause still
 * sees the exponential backoff of a failure that does not go away.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | null,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxMs, initialMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  const backoff = Math.round(exponential / 2 + (exponential / 2) * random());
  if (retryAfterMs === null || !(retryAfterMs > 0)) return backoff;
  return Math.max(backoff, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}
