// Times on the pages: VBO's ISO 8601 text (any precision, Z or an offset) shown as one UTC form,
// with the exact instant in datetime= and VBO's own text on hover.
import { escapeHtml } from "./html.ts";

// The shapes VBO prints: 0 to 9 fractional digits, Z, ±hh:mm or ±hhmm, or no zone (read as UTC).
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/** Epoch milliseconds of an ISO 8601 text, or null when it is not one. */
export function parseIsoMs(text: string | null | undefined): number | null {
  const m = ISO.exec((text ?? "").trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(
    Number(h),
    Number(mi),
    Number(s),
    Number((frac ?? "").padEnd(3, "0").slice(0, 3)),
  );
  if (date.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return null;
  }
  const offset = sign === undefined ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
  return date.getTime() - offset * 60_000;
}

/** `2026-05-04 09:58:00Z`: second precision, fixed width, so the column reads in order. */
export function utcText(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/**
 * A `<time>` for a VBO timestamp: UTC text, the instant in datetime=, VBO's text in the title (the
 * page script adds the reader's local time). Text that is no timestamp is shown as it is.
 */
export function vboTimeHtml(text: string | null | undefined): string {
  if (text === null || text === undefined || text === "") return "";
  const ms = parseIsoMs(text);
  if (ms === null) return escapeHtml(text);
  return `<time datetime="${new Date(ms).toISOString()}" title="${escapeHtml(`VBO: ${text}`)}">${utcText(ms)}</time>`;
}

/** "12s ago" for an epoch-ms instant, with the instant in datetime= and UTC in the title. */
export function agoHtml(now: number, at: number | null): string {
  if (at === null) return "never";
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  const text =
    seconds < 120
      ? `${seconds}s ago`
      : seconds < 7200
        ? `${Math.round(seconds / 60)}m ago`
        : seconds < 172_800
          ? `${Math.round(seconds / 3600)}h ago`
          : `${Math.round(seconds / 86_400)}d ago`;
  return `<time datetime="${new Date(at).toISOString()}" title="${utcText(at)}">${text}</time>`;
}

/** A duration in seconds as `42s`, `3m 05s`, `2h 10m`. */
export function durationText(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return "";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
