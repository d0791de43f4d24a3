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

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^(\d{4})-(\d{2})$/;

function time(name: string, text: string): number | string {
  const ms = Date.parse(DAY.test(text) ? `${text}T00:00:00Z` : text);
  return Number.isFinite(ms)
    ? ms
    : `${name}: "${text.slice(0, 40)}" is not a time; expected ISO 8601 like 2026-11-01 or 2026-11-01T00:00:00Z`;
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
    const month = Number(m?.[2]);
    if (!m || month < 1 || month > 12)
      return { ok: false, message: `${flag}month: expected YYYY-MM like 2026-11` };
    fromMs = Date.UTC(Number(m[1]), month - 1, 1);
    toMs = Date.UTC(Number(m[1]), month, 1);
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
