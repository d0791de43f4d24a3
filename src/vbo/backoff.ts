// Pause lengths: exponential backoff with full jitter, and the server's Retry-After header.

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

/** Milliseconds asked by a Retry-After header (seconds or an HTTP date); null when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, nowMs: number): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === "") return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}
