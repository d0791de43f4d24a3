// Links into Grafana Explore with the LogQL of what the page shows (the audit log in Loki), for
// the filtered session list and for one session.
import type { Filters } from "./session-query.ts";

export interface GrafanaLinks {
  /** Grafana's base URL, without a trailing slash. */
  readonly url: string;
  /** The uid of the Loki datasource that receives the audit log. */
  readonly lokiDatasource: string;
}

/** service.name of the audit records (an index label in Loki). */
const SERVICE = "vbo-restore-exporter";

/** A LogQL string literal (Go syntax: JSON's escapes are valid in it). */
export function logqlString(value: string): string {
  return JSON.stringify(value);
}

function stream(server: string | undefined): string {
  const labels = [`service_name=${logqlString(SERVICE)}`];
  if (server !== undefined) labels.push(`vbo_server=${logqlString(server)}`);
  return `{${labels.join(", ")}}`;
}

/**
 * The records of the sessions the filters select. Result is a session-record attribute: with that
 * filter only the sessions' closing records match (running sessions have none yet).
 */
export function sessionsLogql(filters: Filters, rawResult: string | undefined): string {
  const parts = [stream(filters.server)];
  const attribute: [keyof Filters, string][] = [
    ["organization", "vbo_organization"],
    ["client_host", "vbo_client_host"],
    ["type", "vbo_restore_type"],
  ];
  for (const [key, field] of attribute) {
    const value = filters[key];
    if (value !== undefined) parts.push(`| ${field}=${logqlString(value)}`);
  }
  if (filters.result !== undefined && filters.result !== "running" && rawResult !== undefined) {
    parts.push(`| vbo_session_result=${logqlString(rawResult)}`);
  }
  return parts.join(" ");
}

/** Every record of one session: its events and its closing record. */
export function sessionLogql(session: { server: string; id: string }): string {
  return `${stream(session.server)} | vbo_session_id=${logqlString(session.id)}`;
}

/** An Explore URL (Grafana 10+ `panes` form) running `expr` over [fromMs, toMs]. */
export function exploreUrl(
  grafana: GrafanaLinks,
  expr: string,
  fromMs: number,
  toMs: number,
): string {
  const datasource = { type: "loki", uid: grafana.lokiDatasource };
  const panes = {
    a: {
      datasource: grafana.lokiDatasource,
      queries: [{ refId: "A", expr, queryType: "range", datasource }],
      range: { from: String(Math.floor(fromMs)), to: String(Math.ceil(toMs)) },
    },
  };
  const params = new URLSearchParams({ schemaVersion: "1", panes: JSON.stringify(panes) });
  return `${grafana.url}/explore?${params.toString()}`;
}

const MINUTE = 60_000;

/** The time range around one session: from a little before it started to a little after it ended. */
export function sessionRange(
  startMs: number | null,
  endMs: number | null,
  now: number,
): [number, number] {
  const start = startMs ?? now - 86_400_000;
  const end = endMs ?? now;
  return [start - 5 * MINUTE, Math.max(end, start) + 5 * MINUTE];
}
