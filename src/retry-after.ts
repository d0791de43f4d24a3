// Retry-After (RFC 9110 §10.2.3): a whole number of seconds or an HTTP-date, as a positive delay.
import { parseHttpDate } from "./http-date.ts";

/**
 * Milliseconds a Retry-After header asks to wait: delta-seconds (digits only) or an HTTP-date.
 * null when absent, malformed ("1.5", "soon", any date text Date.parse would guess at) or not in
 * the future (0, a past date): the caller then uses its own backoff rather than retrying at once.
 */
export function parseRetryAfter(
  header: string | readonly string[] | undefined,
  nowMs: number,
): number | null {
  const value = typeof header === "string" ? header : header?.[0];
  if (value === undefined) return null;
  const text = value.trim();
  let delayMs: number | null = null;
  if (/^\d+$/.test(text)) delayMs = Number(text) * 1000;
  else {
    const at = parseHttpDate(text, nowMs);
    if (at !== null) delayMs = at - nowMs;
  }
  return delayMs !== null && Number.isFinite(delayMs) && delayMs > 0 ? delayMs : null;
}
