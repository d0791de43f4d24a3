// HTTP-dates (RFC 9110 §5.6.7): the three forms recipients must accept, strictly, weekday checked.

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const LONG_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const TIME = "(?<hour>\\d{2}):(?<minute>\\d{2}):(?<second>\\d{2})";

/** The three forms recipients must accept (RFC 9110 §5.6.7), with the weekday names each uses. */
const FORMS: readonly { readonly pattern: RegExp; readonly days: readonly string[] }[] = [
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  {
    pattern: new RegExp(
      `^(?<day>[A-Za-z]{3}), (?<date>\\d{2}) (?<month>[A-Za-z]{3}) (?<year>\\d{4}) ${TIME} GMT$`,
    ),
    days: DAYS,
  },
  // obsolete RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
  {
    pattern: new RegExp(
      `^(?<day>[A-Za-z]+), (?<date>\\d{2})-(?<month>[A-Za-z]{3})-(?<yy>\\d{2}) ${TIME} GMT$`,
    ),
    days: LONG_DAYS,
  },
  // obsolete asctime: Sun Nov  6 08:49:37 1994
  {
    pattern: new RegExp(
      `^(?<day>[A-Za-z]{3}) (?<month>[A-Za-z]{3}) (?<date>[ \\d]\\d) ${TIME} (?<year>\\d{4})$`,
    ),
    days: DAYS,
  },
];

/** A two-digit year more than 50 years in the future means the most recent past such year. */
function fullYear(yy: number, nowMs: number): number {
  const thisYear = new Date(nowMs).getUTCFullYear();
  const year = thisYear - (thisYear % 100) + yy;
  return year > thisYear + 50 ? year - 100 : year;
}

/** An HTTP-date as milliseconds since the epoch; null for any other text or an impossible date. */
export function parseHttpDate(text: string, nowMs: number): number | null {
  for (const { pattern, days } of FORMS) {
    const fields = pattern.exec(text)?.groups;
    if (fields === undefined) continue;
    const number = (name: string) => Number((fields[name] ?? "").trim());
    const year = fields.yy === undefined ? number("year") : fullYear(number("yy"), nowMs);
    const month = MONTHS.indexOf(fields.month ?? "");
    const date = number("date");
    const [hour, minute, second] = [number("hour"), number("minute"), number("second")];
    if (month < 0 || hour > 23 || minute > 59 || second > 60) return null;
    const at = new Date(0);
    at.setUTCFullYear(year, month, date);
    at.setUTCHours(hour, minute, Math.min(second, 59));
    if (at.getUTCMonth() !== month || at.getUTCDate() !== date) return null;
    if (days[at.getUTCDay()] !== fields.day) return null;
    return at.getTime();
  }
  return null;
}
