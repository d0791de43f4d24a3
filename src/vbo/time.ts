// VBO timestamps and .NET time spans, parsed exactly (nanoseconds as bigint, no Date rounding).
import { clip, VboError } from "./errors.ts";
import type { Timestamp } from "./types.ts";

// Accepted: YYYY-MM-DD, then T, t or a space, hh:mm:ss, a fraction of 1 to 9 digits after . or ,
// and a zone Z, ±hh:mm or ±hhmm; a missing zone is read as UTC (VBO documents UTC; some .NET
// serializers drop the Z on unspecified DateTime values). Read by hand, one pass over the text:
// no regex, Date or per-field allocation for the hundreds of thousands of timestamps of a backfill.

function badTimestamp(text: string, why: string): VboError {
  return new VboError("bad_response", `invalid timestamp "${clip(text, 48)}": ${why}`);
}

const SHAPE = "expected ISO 8601 like 2022-02-02T15:59:09.7680229Z";

/** The decimal digit at i, or -1. */
function digit(text: string, i: number): number {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Two digits at i as a number, or -1. */
function two(text: string, i: number): number {
  const a = digit(text, i);
  const b = digit(text, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (any year, month 1..12). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Whitespace or anything outside printable ASCII: worth a trim() before reading. */
function mayBeSpace(code: number): boolean {
  return code <= 0x20 || code >= 0x7f;
}

/** Parses an ISO 8601 timestamp to exact nanoseconds since the epoch; throws VboError(bad_response). */
export function parseTimestamp(text: string): Timestamp {
  // Surrounding whitespace is tolerated (rare; trimmed only when present).
  const t =
    text.length > 0 &&
    (mayBeSpace(text.charCodeAt(0)) || mayBeSpace(text.charCodeAt(text.length - 1)))
      ? text.trim()
      : text;
  const n = t.length;
  const y1 = two(t, 0);
  const y2 = two(t, 2);
  const month = two(t, 5);
  const day = two(t, 8);
  const hour = two(t, 11);
  const minute = two(t, 14);
  const second = two(t, 17);
  const sep = t.charCodeAt(10);
  if (
    n < 19 ||
    y1 < 0 ||
    y2 < 0 ||
    month < 0 ||
    day < 0 ||
    hour < 0 ||
    minute < 0 ||
    second < 0 ||
    t.charCodeAt(4) !== 0x2d ||
    t.charCodeAt(7) !== 0x2d ||
    (sep !== 0x54 && sep !== 0x74 && sep !== 0x20) ||
    t.charCodeAt(13) !== 0x3a ||
    t.charCodeAt(16) !== 0x3a
  ) {
    throw badTimestamp(text, SHAPE);
  }
  let i = 19;
  let fracNs = 0;
  const point = t.charCodeAt(i);
  if (point === 0x2e || point === 0x2c) {
    i++;
    let scale = 100_000_000;
    const start = i;
    for (let d = digit(t, i); d >= 0; d = digit(t, ++i)) {
      if (i - start >= 9) throw badTimestamp(text, SHAPE);
      fracNs += d * scale;
      scale /= 10;
    }
    if (i === start) throw badTimestamp(text, SHAPE);
  }
  let offsetMinutes = 0;
  if (i < n) {
    const zone = t.charCodeAt(i);
    if ((zone === 0x5a || zone === 0x7a) && i + 1 === n) {
      i++;
    } else if (zone === 0x2b || zone === 0x2d) {
      const offH = two(t, i + 1);
      const colon = t.charCodeAt(i + 3) === 0x3a ? 1 : 0;
      const offM = two(t, i + 3 + colon);
      if (offH < 0 || offM < 0 || i + 5 + colon !== n) throw badTimestamp(text, SHAPE);
      if (offH > 23 || offM > 59) throw badTimestamp(text, "zone offset out of range");
      offsetMinutes = (zone === 0x2d ? -1 : 1) * (offH * 60 + offM);
      i = n;
    } else {
      throw badTimestamp(text, SHAPE);
    }
  }
  if (month < 1 || month > 12) throw badTimestamp(text, "month out of range");
  if (hour > 23 || minute > 59 || second > 59) throw badTimestamp(text, "time out of range");
  // Years 0-99 stay as written (Date.UTC would read them as 1900-1999): VBO sends .NET's
  // DateTime.MinValue (0001-01-01T00:00:00) for times it does not know.
  const year = y1 * 100 + y2;
  if (day < 1 || day > daysInMonth(year, month)) throw badTimestamp(text, "day out of range");
  const seconds =
    daysFromCivil(year, month, day) * 86_400 +
    hour * 3_600 +
    minute * 60 +
    second -
    offsetMinutes * 60;
  return { ns: BigInt(seconds) * 1_000_000_000n + BigInt(fracNs), text };
}

/** Hours of a time span at i: one or two digits followed by a colon; [value, next index] or null. */
function spanHours(t: string, i: number): [number, number] | null {
  const a = digit(t, i);
  if (a < 0) return null;
  const b = digit(t, i + 1);
  if (b < 0) return t.charCodeAt(i + 1) === 0x3a ? [a, i + 1] : null;
  return t.charCodeAt(i + 2) === 0x3a ? [a * 10 + b, i + 2] : null;
}

/**
 * Seconds in a .NET time span ("c" format `[-][d.]hh:mm:ss[.fffffff]`, e.g. `00:00:00.0446928` or
 * `1.02:03:04`); null when unreadable. Read by hand like timestamps: there is one per event.
 */
export function parseTimeSpan(text: string): number | null {
  const t =
    text.length > 0 &&
    (mayBeSpace(text.charCodeAt(0)) || mayBeSpace(text.charCodeAt(text.length - 1)))
      ? text.trim()
      : text;
  const n = t.length;
  const negative = t.charCodeAt(0) === 0x2d;
  let i = negative ? 1 : 0;
  // Days come first when the leading digits end in a dot.
  let days = 0;
  let j = i;
  let lead = 0;
  for (let d = digit(t, j); d >= 0; d = digit(t, ++j)) lead = lead * 10 + d;
  if (j > i && t.charCodeAt(j) === 0x2e) {
    days = lead;
    i = j + 1;
  }
  const h = spanHours(t, i);
  if (h === null) return null;
  const [hours, colon] = h;
  const minutes = two(t, colon + 1);
  const seconds = two(t, colon + 4);
  if (minutes < 0 || seconds < 0 || t.charCodeAt(colon + 3) !== 0x3a) return null;
  i = colon + 6;
  let fraction = 0;
  if (i < n) {
    if (t.charCodeAt(i) !== 0x2e) return null;
    const from = ++i;
    let ticks = 0;
    for (let d = digit(t, i); d >= 0; d = digit(t, ++i)) ticks = ticks * 10 + d;
    if (i === from || i - from > 7 || i !== n) return null;
    // An integer over a power of ten rounds exactly like reading the decimal text.
    fraction = ticks / 10 ** (i - from);
  }
  if (hours > 23 || minutes > 59 || seconds > 59) return null;
  const total = days * 86_400 + hours * 3_600 + minutes * 60 + seconds + fraction;
  return negative ? -total : total;
}
