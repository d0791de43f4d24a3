// What the landing page's query string asks for (filters by server, organization, client host,
// type and result; how many rows; auto-refresh) and the pure selection and counts it leads to.
import type { RecentSession } from "../pipeline/status.ts";

export const FILTER_KEYS = ["server", "organization", "client_host", "type", "result"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Readonly<Partial<Record<FilterKey, string>>>;

export interface SessionQuery {
  readonly filters: Filters;
  /** Rows to show. */
  readonly limit: number;
  /** Rows shown when the query names no limit (links leave it out then). */
  readonly defaultLimit: number;
  /** False when the reader paused the page's auto-refresh. */
  readonly refresh: boolean;
}

export const MAX_LIMIT = 500;
/**
 * Values longer than this are not offered as filters: a link carrying one would pass the size
 * browsers and servers allow a request line (labels are bounded well below it anyway).
 */
export const MAX_FILTER_LENGTH = 512;

type QueryValue = string | string[] | undefined;

function first(value: QueryValue): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === "" || text.length > MAX_FILTER_LENGTH ? undefined : text;
}

/** Reads the query string; anything unreadable falls back to the default, never an error. */
export function parseSessionQuery(
  query: Readonly<Record<string, QueryValue>>,
  defaultLimit: number,
): SessionQuery {
  const filters: Partial<Record<FilterKey, string>> = {};
  for (const key of FILTER_KEYS) {
    const value = first(query[key]);
    if (value !== undefined) filters[key] = value;
  }
  const asked = Number(first(query.limit));
  const limit = Number.isInteger(asked) && asked > 0 ? Math.min(asked, MAX_LIMIT) : defaultLimit;
  return { filters, limit, defaultLimit, refresh: first(query.refresh) !== "off" };
}

/** running while VBO has no end time, else VBO's result lower-cased. */
export function resultKey(session: RecentSession): string {
  return session.endTime === null ? "running" : session.result.trim().toLowerCase() || "unknown";
}

function fieldOf(session: RecentSession, key: FilterKey): string {
  switch (key) {
    case "server":
      return session.server;
    case "organization":
      return session.organization;
    case "client_host":
      return session.clientHost;
    case "type":
      return session.restoreType;
    case "result":
      return resultKey(session);
  }
}

export function matches(session: RecentSession, filters: Filters): boolean {
  return FILTER_KEYS.every((key) => {
    const wanted = filters[key];
    return wanted === undefined || fieldOf(session, key) === wanted;
  });
}

export interface Count {
  readonly value: string;
  readonly sessions: number;
  readonly failed: number;
}

/** Sessions per value of `key`, most first (ties by name), at most `top` of them. */
export function countBy(
  sessions: readonly RecentSession[],
  key: FilterKey,
  top: number,
): { readonly counts: readonly Count[]; readonly distinct: number } {
  const byValue = new Map<string, { sessions: number; failed: number }>();
  for (const session of sessions) {
    const value = fieldOf(session, key);
    const entry = byValue.get(value) ?? { sessions: 0, failed: 0 };
    entry.sessions++;
    if (resultKey(session) === "failed") entry.failed++;
    byValue.set(value, entry);
  }
  const counts = [...byValue]
    .map(([value, c]) => ({ value, ...c }))
    .sort(
      (a, b) => b.sessions - a.sessions || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
    );
  return { counts: counts.slice(0, top), distinct: counts.length };
}

/** The distinct values of `key` one can filter on, sorted, the selected one kept even when absent. */
export function choices(
  sessions: readonly RecentSession[],
  key: FilterKey,
  selected: string | undefined,
): string[] {
  const values = new Set(
    sessions.map((s) => fieldOf(s, key)).filter((v) => v.length <= MAX_FILTER_LENGTH),
  );
  if (selected !== undefined) values.add(selected);
  return [...values].sort();
}

/** A relative link to the landing page with these filters (and the other settings) applied. */
export function pageHref(query: SessionQuery, change: Partial<SessionQuery> = {}): string {
  const next = { ...query, ...change };
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = next.filters[key];
    if (value !== undefined) params.set(key, value);
  }
  if (next.limit !== next.defaultLimit) params.set("limit", String(next.limit));
  if (!next.refresh) params.set("refresh", "off");
  const text = params.toString();
  return text === "" ? "./" : `./?${text}`;
}

/** A link to one session's page. */
export function sessionHref(session: { server: string; id: string }): string {
  return `session?${new URLSearchParams({ server: session.server, id: session.id }).toString()}`;
}
