// The benchmark's output: one row per measurement with its floor, ratio, target and mark, as a
// plain-text table or JSON.
import { cpus, loadavg, totalmem } from "node:os";

export type Mark = "pass" | "miss" | "info";

export interface Row {
  readonly id: string;
  readonly what: string;
  readonly measured: string;
  readonly floor: string;
  readonly ratio: string;
  readonly target: string;
  readonly mark: Mark;
  /** The numbers behind the row, for machines. */
  readonly values: Record<string, number | string | boolean | null>;
}

export interface Machine {
  readonly nproc: number;
  readonly cpu: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly platform: string;
  /** One-minute load average when the run started and when it ended (the machine may be shared). */
  readonly load: readonly [number, number];
}

export const loadNow = (): number => Math.round((loadavg()[0] ?? 0) * 10) / 10;

export function machine(loadAtStart: number): Machine {
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    load: [loadAtStart, loadNow()],
  };
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const megabytes = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;
export const times = (ratio: number) => `${ratio.toFixed(2)}×`;
export const grouped = (n: number) => Math.round(n).toLocaleString("en-US").replaceAll(",", " ");

/** pass when the value is at most the limit. */
export const atMost = (value: number, limit: number): Mark =>
  Number.isFinite(value) && value <= limit ? "pass" : "miss";

const MARKS: Record<Mark, string> = { pass: "pass", miss: "MISS", info: "" };

export function table(rows: readonly Row[]): string {
  const header = ["measurement", "result", "floor", "ratio", "target", ""];
  const cells = rows.map((r) => [r.what, r.measured, r.floor, r.ratio, r.target, MARKS[r.mark]]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: readonly string[]) =>
    c
      .map((text, i) => text.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}
