// Timestamps the way VBO servers print them: 0 to 7 fractional digits, `Z` or a `+03:00` offset.

export interface TimeStyle {
  /** Fractional digits, 0..7 (ignored when trimmed). */
  readonly digits: number;
  /** .NET's default: all 7 digits with trailing zeros trimmed, no point when the fraction is zero. */
  readonly trimmed?: boolean;
  /** Offset from UTC in minutes (0 prints `Z`). */
  readonly offsetMinutes: number;
}

/**
 * Formats an instant given as epoch milliseconds plus sub-millisecond nanoseconds (0..999_999).
 * The printed fraction is truncated to `style.digits`, so the text is the ground truth.
 */
export function formatInstant(ms: number, subMsNs: number, style: TimeStyle): string {
  const shifted = new Date(ms + style.offsetMinutes * 60_000);
  const base = shifted.toISOString().slice(0, 19);
  const nanosOfSecond = (((ms % 1000) + 1000) % 1000) * 1_000_000 + subMsNs;
  const ticks = String(nanosOfSecond).padStart(9, "0").slice(0, 7);
  const fraction = style.trimmed
    ? ticks === "0000000"
      ? ""
      : `.${ticks.replace(/0+$/, "")}`
    : style.digits === 0
      ? ""
      : `.${ticks.slice(0, style.digits)}`;
  return `${base}${fraction}${offsetText(style.offsetMinutes)}`;
}

function offsetText(minutes: number): string {
  if (minutes === 0) return "Z";
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/** .NET time-span text ("c" format): `00:00:00.0446928`, `1.02:03:04.5000000`, `00:00:00` for zero ticks. */
export function formatTimeSpan(totalMs: number, extraTicks = 0): string {
  const ms = Math.max(0, Math.floor(totalMs));
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor((ms % 86_400_000) / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  const ticks = (ms % 1000) * 10_000 + (extraTicks % 10_000);
  const fraction = ticks === 0 ? "" : `.${String(ticks).padStart(7, "0")}`;
  const clock = `${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}${fraction}`;
  return days > 0 ? `${days}.${clock}` : clock;
}

function pad2(value: number): string {
  return String(value).padStart(2, "0");
}
