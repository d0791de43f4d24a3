// GET /api/v1/audit/accesses?since=<cursor>&limit=<n>: the watched accesses after a cursor, as
// JSON, for a script or a SIEM that polls instead of reading mail; the newest cursor comes back.
import type Koa from "koa";
import type { WatchedAccessFeed } from "../pipeline/status.ts";

export const AUDIT_FEED_PATH = "/api/v1/audit/accesses";
const MAX_LIMIT = 1_000;

function whole(text: unknown, name: string, fallback: number, max: number): number | string {
  if (text === undefined) return fallback;
  if (typeof text !== "string" || !/^\d{1,16}$/.test(text))
    return `${name}: expected a whole number, got ${JSON.stringify(String(text)).slice(0, 40)}`;
  const n = Number(text);
  return n > max ? `${name}: at most ${max}` : n;
}

export function serveAuditFeed(ctx: Koa.Context, feed: WatchedAccessFeed | undefined): void {
  ctx.type = "application/json; charset=utf-8";
  const since = whole(ctx.query.since, "since", 0, Number.MAX_SAFE_INTEGER);
  const limit = whole(ctx.query.limit, "limit", 100, MAX_LIMIT);
  if (typeof since === "string" || typeof limit === "string") {
    ctx.status = 400;
    ctx.body = JSON.stringify({ error: typeof since === "string" ? since : limit });
    return;
  }
  const accesses = feed === undefined ? [] : feed(since, limit);
  const cursor = accesses.length === 0 ? since : (accesses.at(-1)?.seq ?? since);
  ctx.status = 200;
  ctx.body = JSON.stringify({ cursor: String(cursor), accesses }, null, 2);
}
