// Durations in configuration text (30s, 5m, 1h30m, 7d) to milliseconds and back.

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;

/** Milliseconds for a duration like `30s`, `1h30m` or `7d`; null when the text is not one. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === "" || !WHOLE.test(trimmed)) return null;
  let total = 0;
  for (const match of trimmed.matchAll(PART)) {
    const unit = UNIT_MS[match[2] ?? ""];
    if (unit === undefined) return null;
    total += Number(match[1]) * unit;
  }
  return Number.isFinite(total) ? Math.round(total) : null;
}

/** The shortest readable form of a millisecond duration, e.g. 90000 → `1m30s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
    ["ms", 1],
  ] as const) {
    if (rest >= size) {
      const count = Math.floor(rest / size);
      parts.push(`${count}${unit}`);
      rest -= count * size;
    }
  }
  return parts.join("");
}
