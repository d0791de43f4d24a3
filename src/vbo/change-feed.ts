// The v8 change feed (GET /v8/Events): pages read from a change token on, restore-session changes
// folded into a map, and the answer a server gives for a change token it no longer knows.
import type { Logger } from "../logger.ts";
import { errorSummary } from "./body.ts";
import { VboError } from "./errors.ts";
import { asObject } from "./parse.ts";
import type { HttpResponse } from "./transport.ts";
import type { ApiVersion, RestoreSessionChanges } from "./types.ts";

/** Per-request options of the client's authenticated GET. */
export interface GetOptions {
  readonly timeoutMs?: number;
  /** May turn an error answer into an error of its own before the generic status handling. */
  readonly refuse?: (response: HttpResponse) => VboError | null;
}

/** What reading the feed needs from the client. */
export interface ChangeFeedDeps {
  version(signal?: AbortSignal): Promise<ApiVersion>;
  url(query: Record<string, string>): URL;
  getJson(url: URL, signal?: AbortSignal, options?: GetOptions): Promise<unknown>;
  readonly pageSize: number;
  readonly maxPages: number;
  /** The normal request timeout; a long poll gets its wait on top. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  secrets(): readonly string[];
}

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

const where = (url: URL) => ({ method: "GET", path: url.pathname });

/**
 * Reads the feed from `from` (a token or "latest"): the first request waits up to timeoutSeconds
 * for a change, later pages take what is there, until a page comes back empty or short (changes
 * arriving after that are for the next call). Fails as change_token_expired on an outdated token.
 */
export async function readChanges(
  deps: ChangeFeedDeps,
  from: string,
  timeoutSeconds: number,
  signal?: AbortSignal,
): Promise<RestoreSessionChanges> {
  const version = await deps.version(signal);
  if (version !== "v8") {
    throw new VboError(
      "not_found",
      `the change feed (GET /v8/Events) needs API v8, not ${version}`,
    );
  }
  const wait = Math.max(0, Math.floor(timeoutSeconds));
  const updated = new Map<string, number>();
  const deleted = new Set<string>();
  let token = from;
  for (let page = 0; ; page++) {
    const seconds = page === 0 ? wait : 0;
    const url = deps.url({
      from: token,
      limit: String(deps.pageSize),
      timeoutSeconds: String(seconds),
    });
    if (page >= deps.maxPages) {
      deps.logger.warn(
        { url: `${url.origin}${url.pathname}`, pages: page },
        "VBO keeps sending change pages; stopping this read of the change feed",
      );
      throw new VboError(
        "paging_runaway",
        `the change feed sent more than ${deps.maxPages} pages in one read`,
        where(url),
      );
    }
    const body = await deps.getJson(url, signal, {
      timeoutMs: deps.timeoutMs + seconds * 1000,
      refuse: (response) =>
        isOutdatedTokenAnswer(response)
          ? new VboError(
              "change_token_expired",
              `VBO no longer knows the change token (HTTP ${response.status}: ${errorSummary(response, deps.secrets()).text}); read the sessions again and continue from a new token (from=latest)`,
              { ...where(url), status: response.status },
            )
          : null,
    });
    let read: ChangesPage;
    try {
      read = foldChangesPage(body, updated, deleted);
    } catch (error) {
      throw error instanceof VboError ? error.withContext(where(url)) : error;
    }
    const advanced = read.nextToken !== token;
    token = read.nextToken;
    if (
      read.count === 0 ||
      !advanced ||
      read.count < Math.min(read.limit ?? deps.pageSize, deps.pageSize)
    ) {
      return { nextToken: token, updated, deleted };
    }
  }
}
