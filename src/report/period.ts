// Pure: a report's period [from, to) from what a person typed (ISO 8601 days or times, or one
// month), with a sentence for a time that cannot be read, a reversed period or one in the future.

export type PeriodInput = {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** YYYY-MM: that month in UTC, instead of from and to. */
  readonly month?: string | undefined;
};

export type Period =
  | { readonly ok: true; readonly fromMs: number; readonly toMs: number }
  | { readonly ok: false; readonly message: string };

const TIME =
  /^(\d{4}-\d{2}-\d{2})(?:T((?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?)(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?)?$/i;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Epoch ms of the first of a month (monthIndex may be 12: January of the next year), any year. */
function monthStart(year: number, monthIndex: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, 1);
  return d.getTime();
}

/**
 * Strict ISO 8601 only: Date.parse alone takes "1" or "March 7" as local times of 2001 and rolls
 * 2026-02-30 over into March. A day or a time without an offset is UTC.
 */
function time(name: string, text: string): number | string {
  const m = TIME.exec(text);
  const day = m?.[1] ?? "";
  const dayMs = Date.parse(`${day}T00:00:00Z`);
  const real =
    m !== null && Number.isFinite(dayMs) && new Date(dayMs).toISOString().startsWith(day);
  const ms = real ? Date.parse(`${day}T${m[2] ?? "00:00"}${(m[3] ?? "Z").toUpperCase()}`) : NaN;
  if (Number.isFinite(ms)) return ms;
  // In a URL's query a + is a space: 2026-11-01T00:00:00+02:00 arrives as "...00:00:00 02:00".
  const plus = / \d{2}:\d{2}$/.test(text) ? " (a + in a URL is written %2B)" : "";
  return `${name}: "${text.slice(0, 40)}" is not a time; expected ISO 8601 like 2026-11-01 or 2026-11-01T00:00:00Z${plus}`;
}

/** `flag` names the inputs in messages: "--" for the command's flags, "" for query parameters. */
export function parsePeriod(input: PeriodInput, nowMs: number, flag = "--"): Period {
  let fromMs: number;
  let toMs: number;
  if (input.month !== undefined && input.month !== "") {
    if (input.from !== undefined || input.to !== undefined)
      return {
        ok: false,
        message: `${flag}month is instead of ${flag}from and ${flag}to, not with them`,
      };
    const m = MONTH.exec(input.month);
    if (!m) return { ok: false, message: `${flag}month: expected YYYY-MM like 2026-11` };
    fromMs = monthStart(Number(m[1]), Number(m[2]) - 1);
    toMs = monthStart(Number(m[1]), Number(m[2]));
  } else {
    if (input.from === undefined || input.from === "")
      return { ok: false, message: `${flag}from is required (or ${flag}month YYYY-MM)` };
    if (input.to === undefined || input.to === "")
      return { ok: false, message: `${flag}to is required (or ${flag}month YYYY-MM)` };
    const from = time(`${flag}from`, input.from);
    if (typeof from === "string") return { ok: false, message: from };
    const to = time(`${flag}to`, input.to);
    if (typeof to === "string") return { ok: false, message: to };
    fromMs = from;
    toMs = to;
  }
  if (toMs <= fromMs)
    return {
      ok: false,
      message: `the period is reversed or empty: ${flag}to (${new Date(toMs).toISOString()}) must be after ${flag}from (${new Date(fromMs).toISOString()})`,
    };
  if (fromMs > nowMs)
    return {
      ok: false,
      message: `the period starts in the future (${new Date(fromMs).toISOString()}, now is ${new Date(nowMs).toISOString()}); VBO has no restore sessions there yet`,
    };
  return { ok: true, fromMs, toMs };
}
