// Pure: sessions per day as an inline SVG bar chart (elements and attributes only: no script, no
// style sheet, no external resource), each bar with its day and count as text, every value escaped.
import { escapeHtml } from "../http/html.ts";
import type { Count } from "./restore-report.ts";

/** Bars shown at most; a longer period shows its busiest days, in date order. */
export const MAX_DAY_BARS = 31;

const WIDTH = 760;
const HEIGHT = 260;
const LEFT = 36;
const RIGHT = 8;
const TOP = 18;
/** Room under the bars for the day labels (turned when there are many). */
const BOTTOM = 70;

/** The days a chart shows: all of them, or the MAX_DAY_BARS busiest in date order. */
export function chartDays(byDay: readonly Count[], max = MAX_DAY_BARS): Count[] {
  if (byDay.length <= max) return [...byDay];
  return [...byDay]
    .sort((a, b) => b.sessions - a.sessions || (a.value < b.value ? -1 : 1))
    .slice(0, max)
    .sort((a, b) => (a.value < b.value ? -1 : 1));
}

/** A round step for the value axis: 1, 2 or 5 times a power of ten, about four lines. */
function step(max: number): number {
  const rough = Math.max(1, max / 4);
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const m of [1, 2, 5, 10]) if (m * power >= rough) return m * power;
  return 10 * power;
}

const num = (n: number) => String(Math.round(n * 10) / 10);

/** The chart of `days` (already chosen and in date order); empty string when there are none. */
export function dayChartSvg(days: readonly Count[], caption: string): string {
  if (days.length === 0) return "";
  const max = Math.max(...days.map((d) => d.sessions), 1);
  const unit = step(max);
  const top = Math.ceil(max / unit) * unit;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / days.length;
  const bar = Math.min(48, slot * 0.7);
  const turned = days.length > 10;
  const base = TOP + plotHeight;
  const parts: string[] = [];
  for (let v = 0; v <= top; v += unit) {
    const y = base - (v / top) * plotHeight;
    parts.push(
      `<line x1="${LEFT}" y1="${num(y)}" x2="${WIDTH - RIGHT}" y2="${num(y)}" stroke="#ddd" stroke-width="1"/>`,
      `<text x="${LEFT - 4}" y="${num(y + 4)}" text-anchor="end" font-size="11" fill="#666">${v}</text>`,
    );
  }
  days.forEach((day, i) => {
    const h = (day.sessions / top) * plotHeight;
    const cx = LEFT + slot * i + slot / 2;
    const x = cx - bar / 2;
    const label = escapeHtml(day.value);
    parts.push(
      `<g><title>${label}: ${day.sessions} sessions</title>` +
        `<rect x="${num(x)}" y="${num(base - h)}" width="${num(bar)}" height="${num(h)}" fill="#3b6ea8"/>` +
        `<text x="${num(cx)}" y="${num(base - h - 4)}" text-anchor="middle" font-size="11" fill="#222">${day.sessions}</text>` +
        (turned
          ? `<text x="${num(cx)}" y="${base + 12}" text-anchor="end" font-size="11" fill="#222" transform="rotate(-50 ${num(cx)} ${base + 12})">${label}</text>`
          : `<text x="${num(cx)}" y="${base + 16}" text-anchor="middle" font-size="11" fill="#222">${label}</text>`) +
        "</g>",
    );
  });
  parts.push(
    `<line x1="${LEFT}" y1="${base}" x2="${WIDTH - RIGHT}" y2="${base}" stroke="#888" stroke-width="1"/>`,
  );
  const title = escapeHtml(caption);
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${title}" font-family="system-ui, sans-serif"><title>${title}</title>
${parts.join("\n")}
</svg>`;
}
