// The simulator's truth for "how many" questions, from its own API (sessions and events as VBO
// would show them), and the expected answer of a count query of the shape
// [topk(N,] sum [by (labels)] (increase(metric{matchers}[window])) [)]. Independent of the
// exporter's code: its label rules are restated here from the metric docs.
import type { SimulatorTruth } from "../../src/simulator/server.ts";

export interface TruthRow {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** When the session the row belongs to started (ms). */
  readonly startedMs: number;
}

export type Truth = ReadonlyMap<string, readonly TruthRow[]>;

const RESTORE_TYPES: Readonly<Record<string, string>> = {
  Vex: "exchange",
  Veod: "onedrive",
  Vesp: "sharepoint",
  Vet: "teams",
};

/** Rows per metric for every session the simulator shows at `atMs` (all expected to be stopped). */
export function countTruth(world: SimulatorTruth, server: string, atMs: number): Truth {
  const rows = new Map<string, TruthRow[]>();
  const add = (
    metric: string,
    labels: Record<string, string>,
    value: number,
    startedMs: number,
  ) => {
    const list = rows.get(metric) ?? [];
    list.push({ labels, value, startedMs });
    rows.set(metric, list);
  };
  for (const session of world.sessionsAt(atMs)) {
    const startedMs = Date.parse(String(session.creationTime));
    const base = {
      server,
      organization: String(session.organization),
      restore_type: RESTORE_TYPES[String(session.type)] ?? String(session.type).toLowerCase(),
      client_host: String(session.clientHost ?? "unknown").split(" (via:")[0] ?? "",
    };
    add("vbo_restore_sessions_total", base, 1, startedMs);
    if (session.state === "Stopped")
      add(
        "vbo_restore_sessions_finished_total",
        { ...base, result: String(session.result).toLowerCase() },
        1,
        startedMs,
      );
    for (const event of world.eventsAt(String(session.id), atMs)) {
      const eventType = String(event.type).toLowerCase();
      add(
        "vbo_restore_events_total",
        { ...base, event_type: eventType, status: String(event.status).toLowerCase() },
        1,
        startedMs,
      );
      add(
        "vbo_restore_items_bytes_total",
        { ...base, event_type: eventType },
        Math.max(0, Number(event.itemSizeBytes)),
        startedMs,
      );
    }
  }
  return rows;
}

export interface CountQuery {
  readonly topk: number | null;
  readonly by: readonly string[];
  readonly metric: string;
  readonly matchers: readonly { label: string; op: string; value: string }[];
  readonly window: string;
}

const SHAPE =
  /^(?:topk\((\d+),\s*)?sum(?:\s+by\s*\(([^)]*)\))?\s*\(\s*increase\(\s*([a-z_]+)(?:\{([^}]*)\})?\[([0-9a-z$_]+)\]\)\s*\)\)?$/;

/** The query as a count over one counter, or null when it has another shape. */
export function parseCountQuery(expr: string): CountQuery | null {
  const m = SHAPE.exec(expr.trim());
  if (!m) return null;
  const matchers = [...(m[4] ?? "").matchAll(/([a-z_]+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].map((x) => ({
    label: x[1] ?? "",
    op: x[2] ?? "",
    value: x[3] ?? "",
  }));
  return {
    topk: m[1] ? Number(m[1]) : null,
    by: (m[2] ?? "")
      .split(",")
      .map((l) => l.trim())
      .filter((l) => l !== ""),
    metric: m[3] ?? "",
    matchers,
    window: m[5] ?? "",
  };
}

function matches(labels: Readonly<Record<string, string>>, m: CountQuery["matchers"][number]) {
  // The scrape target's labels are Prometheus' own; every truth row is from the one exporter.
  if (m.label === "job" || m.label === "instance") return true;
  const value = labels[m.label] ?? "";
  if (m.op === "=") return value === m.value;
  if (m.op === "!=") return value !== m.value;
  const full = new RegExp(`^(?:${m.value})$`).test(value);
  return m.op === "=~" ? full : !full;
}

/** Group key of a label set for the query's `by` labels. */
export function groupKey(by: readonly string[], labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(by.map((l) => labels[l] ?? ""));
}

/** The true answer by group key: sessions started in (atMs - windowMs, atMs]. */
export function expectedCounts(
  query: CountQuery,
  truth: Truth,
  atMs: number,
  windowMs: number,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const row of truth.get(query.metric) ?? []) {
    if (row.startedMs <= atMs - windowMs || row.startedMs > atMs) continue;
    if (!query.matchers.every((m) => matches(row.labels, m))) continue;
    const key = groupKey(query.by, row.labels);
    out.set(key, (out.get(key) ?? 0) + row.value);
  }
  return out;
}

/** Within ±1 or ±10 %, whichever is larger. */
export function closeEnough(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= Math.max(1, 0.1 * Math.abs(expected));
}
