// The v8 change feed (GET /v8/Events): one answer decoded, restore-session changes folded into a
// map, and the answer a server gives for a change token it no longer knows.
import { VboError } from "./errors.ts";
import { asObject } from "./parse.ts";
import type { HttpResponse } from "./transport.ts";

export interface ChangesPage {
  readonly nextToken: string;
  /** The page size the server used (its `limit`), null when it did not say. */
  readonly limit: number | null;
  /** How many results the page held, of any event type. */
  readonly count: number;
}

/**
 * Reads one Events_GetResponse into `updated`/`deleted` (later changes win): RestoreSessionUpdate
 * {id, eTag} and RestoreSessionDelete {id}; other event types (jobs, users, ...) are skipped, and so
 * is a restore-session entry without a usable id or eTag (the next session listing still sees it).
 */
export function foldChangesPage(
  value: unknown,
  updated: Map<string, number>,
  deleted: Set<string>,
): ChangesPage {
  const what = "change feed page";
  const o = asObject(value, what);
  const token = o.nextChangeToken;
  if (typeof token !== "string" || token === "") {
    throw new VboError(
      "bad_response",
      `${what}: field "nextChangeToken" ${token === undefined ? "is missing" : "is not text"}`,
    );
  }
  const results = o.results;
  if (!Array.isArray(results)) {
    throw new VboError("bad_response", `${what}: field "results" should be an array`);
  }
  for (const item of results) {
    if (typeof item !== "object" || item === null) continue;
    const r = item as Record<string, unknown>;
    const id = r.id;
    if (typeof id !== "string" || id === "") continue;
    if (r.eventType === "RestoreSessionUpdate") {
      const eTag = typeof r.eTag === "string" ? Number(r.eTag) : r.eTag;
      if (typeof eTag !== "number" || !Number.isFinite(eTag)) continue;
      updated.set(id, eTag);
      deleted.delete(id);
    } else if (r.eventType === "RestoreSessionDelete") {
      deleted.add(id);
      updated.delete(id);
    }
  }
  const limit = typeof o.limit === "number" && o.limit > 0 ? o.limit : null;
  return { nextToken: token, limit, count: results.length };
}

/**
 * True for the answer to a change token the server has forgotten. The spec names the error code
 * `OutdatedChangeToken` (RESTExceptionInfo.errorCode); how it is sent is not documented, so any 4xx
 * carrying that code counts, and so does 410 Gone.
 */
export function isOutdatedTokenAnswer(response: HttpResponse): boolean {
  if (response.status === 410) return true;
  if (response.status < 400 || response.status >= 500) return false;
  try {
    const value: unknown = JSON.parse(response.body.toString("utf8"));
    return (
      typeof value === "object" &&
      value !== null &&
      (value as Record<string, unknown>).errorCode === "OutdatedChangeToken"
    );
  } catch {
    return false;
  }
}
