// VBO timestamps and .NET time spans, parsed exactly (nanoseconds as bigint, no Date rounding).
import { clip, VboError } from "./errors.ts";
import type { Timestamp } from "./types.ts";

// Fraction of any length up to 9 digits; zone Z, ±hh:mm or ±hhmm; a missing zone is read as UTC
// (VBO documents UTC; some .NET serializers drop the Z on unspecified DateTime values).
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

function badTimestamp(text: string, why: string): VboError {
  return new VboError("bad_response", `invalid timestamp "${clip(text, 48)}": ${why}`);
}

/** Parses an ISO 8601 timestamp to exact nanoseconds since the epoch; throws VboError(bad_response). */
export function parseTimestamp(text: string): Timestamp {
  const m = TIMESTAMP.exec(text.trim());
  if (m === null) throw badTimestamp(text, "expected ISO 8601 like 2022-02-02T15:59:09.7680229Z");
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12) throw badTimestamp(text, "month out of range");
  if (hour > 23 || minute > 59 || second > 59) throw badTimestamp(text, "time out of range");
  // Not Date.UTC: it reads years 0-99 as 1900-1999, and VBO sends .NET's DateTime.MinValue
  // (0001-01-01T00:00:00) for times it does not know.
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day);
  check.setUTCHours(hour, minute, second);
  const ms = check.getTime();
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) {
    throw badTimestamp(text, "day out of range");
  }
  let offsetMinutes = 0;
  if (sign !== undefined) {
    const offH = Number(oh);
    const offM = Number(om);
    if (offH > 23 || offM > 59) throw badTimestamp(text, "zone offset out of range");
    offsetMinutes = (sign === "-" ? -1 : 1) * (offH * 60 + offM);
  }
  const fracNs = frac === undefined ? 0n : BigInt(frac.padEnd(9, "0"));
  const wholeMs = BigInt(ms) - BigInt(offsetMinutes) * 60_000n;
  return { ns: wholeMs * 1_000_000n + fracNs, text };
}

// .NET TimeSpan "c" format: [-][d.]hh:mm:ss[.fffffff]
const TIME_SPAN = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/;

/** Seconds in a .NET time span such as `00:00:00.0446928` or `1.02:03:04`; null when unreadable. */
export function parseTimeSpan(text: string): number | null {
  const m = TIME_SPAN.exec(text.trim());
  if (m === null) return null;
  const [, sign, days, h, mi, s, frac] = m;
  const hours = Number(h);
  const minutes = Number(mi);
  const seconds = Number(s);
  if (hours > 23 || minutes > 59 || seconds > 59) return null;
  const whole = Number(days ?? "0") * 86_400 + hours * 3_600 + minutes * 60 + seconds;
  const total = whole + (frac === undefined ? 0 : Number(`0.${frac}`));
  return sign === "-" ? -total : total;
}
