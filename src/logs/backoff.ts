// Retry delays: exponential backoff with jitter, or the receiver's Retry-After when it sent one.

/** The longest Retry-After honoured; a larger value is treated as this. */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;

/**
 * Delay before retry number `attempt` (1-based): Retry-After when given (capped), otherwise
 * initial·2^(attempt-1) capped at max, with "equal jitter" (between half and the full delay).
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | null,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== null) return Math.min(Math.max(0, retryAfterMs), MAX_RETRY_AFTER_MS);
  const exponential = Math.min(maxMs, initialMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}
