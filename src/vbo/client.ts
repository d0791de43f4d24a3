// The VBO REST client the poller uses: version detection, token cache, retries, paging and
// tolerant decoding behind the VboClient interface.

import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { systemClock } from "../clock.ts";
import { silentLogger } from "../logger.ts";
import { scrub as scrubSecrets } from "../secrets/scrub.ts";
import { createAuditClient, type VboAuditClient } from "./audit-client.ts";
import { TokenManager } from "./auth.ts";
import { decodeJson, errorSummary } from "./body.ts";
import { type GetOptions, readChanges } from "./change-feed.ts";
import { parseBaseUrl, readCa, type VboClientOptions } from "./client-options.ts";
import { VboError, type VboErrorContext } from "./errors.ts";
import { pagedItems, type SkipItem } from "./paged-items.ts";
import { DEFAULT_PAGING_LIMITS, type PagingLimits, paginatePages } from "./paginate.ts";
import {
  parseOrganization,
  parseOrganizationUser,
  parseRestoreEvent,
  parseRestoreSession,
  parseServiceInstance,
} from "./parse.ts";
import { pathSegment } from "./path-segment.ts";
import { sendWithRetry, type Transport } from "./request.ts";
import { readServerTime, type ServerTime } from "./server-time.ts";
import { DEFAULT_MAX_BODY_BYTES } from "./transport.ts";
import type {
  ApiVersion,
  ListEventsOptions,
  ListSessionsQuery,
  Organization,
  VboClient,
} from "./types.ts";
import {
  type OnUnreadable,
  RecordError,
  rawId,
  rawText,
  type UnreadableKind,
} from "./unreadable.ts";
import { probeApiVersion } from "./version-probe.ts";

export type { VboClientOptions } from "./client-options.ts";

/** A VboClient that can also release its keep-alive connections. */
export interface ClosableVboClient extends VboClient {
  /** VBO's audit feature: audit items, organization groups, audit e-mail settings. */
  readonly audit: VboAuditClient;
  /** Always present here; on a v6/v7 server it fails as not_found (the server has no /Events). */
  restoreSessionChanges: NonNullable<VboClient["restoreSessionChanges"]>;
  close(): void;
}

export function createVboClient(options: VboClientOptions): ClosableVboClient {
  const base = parseBaseUrl(options.url);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const insecure = options.tls?.insecureSkipVerify === true;
  const ca = readCa(options);
  const pageSize = Math.max(1, Math.min(10_000, Math.floor(options.pageSize ?? 1000)));
  if (insecure && base.protocol === "https:") {
    logger.warn(
      { url: base.origin },
      "TLS CERTIFICATE VERIFICATION IS DISABLED for this VBO server (tls.insecureSkipVerify): anyone on the network path can read the credentials; use tls.caFile instead",
    );
  }
  const agent =
    base.protocol === "https:"
      ? new HttpsAgent({
          keepAlive: true,
          rejectUnauthorized: !insecure,
          ...(ca === undefined ? {} : { ca }),
        })
      : new HttpAgent({ keepAlive: true });

  let requests = 0;
  let serverTime: ServerTime | null = null;
  let auth: TokenManager | null = null;
  const transport: Transport = {
    agent,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxRetries: Math.max(0, options.maxRetries ?? 3),
    clock,
    logger,
    random: options.random ?? Math.random,
    userAgent: options.userAgent ?? "vbo-restore-exporter",
    maxRetryAfterMs: 120_000,
    maxBodyBytes: Math.max(1024, options.maxResponseBytes ?? DEFAULT_MAX_BODY_BYTES),
    secrets: () => [options.password, ...(options.secrets ?? []), ...(auth?.secrets() ?? [])],
    countRequest: () => {
      requests += 1;
    },
  };

  const pagingLimits: PagingLimits = {
    maxPages: Math.max(1, options.paging?.maxPages ?? DEFAULT_PAGING_LIMITS.maxPages),
    maxItems: Math.max(1, options.paging?.maxItems ?? DEFAULT_PAGING_LIMITS.maxItems),
  };
  const prefix = base.pathname === "/" ? "" : base.pathname;
  const urlFor = (version: ApiVersion, path: string, query?: Record<string, string>): URL => {
    const url = new URL(`${prefix}/${version}${path}`, base);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    return url;
  };

  let resolved: Promise<ApiVersion> | null =
    options.apiVersion === "auto" ? null : Promise.resolve(options.apiVersion);

  const probe = (signal?: AbortSignal) =>
    probeApiVersion({ transport, origin: base.origin, urlFor, logger }, signal);

  const apiVersion = (signal?: AbortSignal): Promise<ApiVersion> => {
    if (resolved === null) {
      const attempt = probe(signal);
      resolved = attempt;
      attempt.catch(() => {
        if (resolved === attempt) resolved = null;
      });
    }
    return resolved;
  };

  // close() also ends the shared login, which would otherwise retry on after every caller gave up.
  const closing = new AbortController();
  const tokens = new TokenManager({
    transport,
    baseUrl: base,
    username: options.username,
    password: options.password,
    version: apiVersion,
    closed: closing.signal,
  });
  auth = tokens;

  /**
   * A request with a token: one re-login on 401, status codes turned into errors, JSON decoded
   * (null for an empty 2xx answer, as POST and PUT often give). `refuse` may turn an answer into
   * an error of its own before the generic status handling.
   */
  const callJson = async (
    method: "GET" | "POST" | "PUT",
    url: URL,
    signal?: AbortSignal,
    body?: unknown,
    extra?: GetOptions,
  ): Promise<unknown> => {
    const context: VboErrorContext = { method, path: `${url.pathname}${url.search}` };
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let relogin = 0; ; relogin++) {
      const token = await tokens.accessToken(signal);
      const response = await sendWithRetry(transport, {
        method,
        url,
        headers: () => ({
          accept: "application/json",
          authorization: `Bearer ${token}`,
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
        }),
        ...(payload === undefined ? {} : { body: payload }),
        signal,
        ...(extra?.timeoutMs === undefined ? {} : { timeoutMs: extra.timeoutMs }),
      });
      serverTime = readServerTime(response.headers, clock.now());
      const where = { ...context, status: response.status };
      if (response.status === 401) {
        if (relogin === 0) {
          logger.info({ path: url.pathname }, "VBO refused the token (401); logging in again");
          tokens.invalidate(token);
          continue;
        }
        throw new VboError(
          "bad_credentials",
          `VBO refused a freshly issued token (HTTP 401: ${errorSummary(response, transport.secrets()).text})`,
          where,
        );
      }
      if (response.status >= 200 && response.status < 300) {
        if (method !== "GET" && response.body.length === 0) return null;
        return decodeJson(response, context);
      }
      const refused = extra?.refuse?.(response) ?? null;
      if (refused !== null) throw refused;
      const summary = errorSummary(response, transport.secrets()).text;
      if (response.status === 403) {
        throw new VboError(
          "bad_credentials",
          `user "${options.username}" may not ${method === "GET" ? "read" : "change"} this (HTTP 403: ${summary}); it needs a VBO role that can ${method === "GET" ? "read restore sessions" : "manage audit settings"}`,
          where,
        );
      }
      if (response.status === 404) {
        throw new VboError("not_found", `not found (HTTP 404: ${summary})`, where);
      }
      if (response.status === 400 && method !== "GET") {
        throw new VboError("refused", `VBO refused the request (HTTP 400: ${summary})`, where);
      }
      throw new VboError("bad_response", `unexpected HTTP ${response.status} (${summary})`, where);
    }
  };
  const getJson = (url: URL, signal?: AbortSignal, extra?: GetOptions): Promise<unknown> =>
    callJson("GET", url, signal, undefined, extra);

  /** Decodes with the request attached to any decoding error. */
  const decode = <T>(url: URL, value: unknown, parse: (v: unknown) => T): T => {
    try {
      return parse(value);
    } catch (error) {
      if (error instanceof VboError) {
        throw error.withContext({ method: "GET", path: `${url.pathname}${url.search}` });
      }
      throw error;
    }
  };

  /** The quarantine's view of a record that could not be decoded (scrubbed and bounded). */
  const unreadable = (
    kind: UnreadableKind,
    raw: unknown,
    error: RecordError,
    sessionId: string | null,
    position: number | null,
  ) => {
    const secrets = transport.secrets();
    const scrub = (text: string) => scrubSecrets(text, secrets);
    const recordId = rawId(raw);
    return {
      kind,
      recordId,
      sessionId: kind === "session" ? recordId : sessionId,
      position,
      reason: error.problem,
      field: error.field,
      message: scrub(error.message),
      raw: rawText(raw, scrub),
    };
  };
  const skipper = (
    kind: UnreadableKind,
    report: OnUnreadable | undefined,
    sessionId: string | null,
    from: number,
  ): SkipItem | undefined =>
    report === undefined
      ? undefined
      : (raw, error, position) => report(unreadable(kind, raw, error, sessionId, from + position));

  /** Every item of a listing, pages read one at a time and items decoded as they are taken. */
  const list = <T>(
    first: (signal?: AbortSignal) => Promise<URL>,
    parse: (v: unknown) => T,
    signal?: AbortSignal,
    firstPage?: unknown,
    skip?: SkipItem,
  ): AsyncIterable<T> =>
    pagedItems(
      async function* () {
        const url = await first(signal);
        let prefetched = firstPage;
        yield* paginatePages({
          first: url,
          base,
          pageSize,
          limits: pagingLimits,
          logger,
          fetchJson: (next) => {
            if (prefetched !== undefined && next === url) {
              const page = prefetched;
              prefetched = undefined;
              return Promise.resolve(page);
            }
            return getJson(next, signal);
          },
        });
      },
      parse,
      skip,
    );

  const restoreSessionChanges = (from: string, timeoutSeconds: number, signal?: AbortSignal) =>
    readChanges(
      {
        version: apiVersion,
        url: (query) => urlFor("v8", "/Events", query),
        getJson,
        pageSize,
        maxPages: pagingLimits.maxPages,
        timeoutMs: transport.timeoutMs,
        logger,
        secrets: () => transport.secrets(),
      },
      from,
      timeoutSeconds,
      signal,
    );

  const pageQuery = (size: number): Record<string, string> => ({
    offset: "0",
    limit: String(size),
  });

  return {
    apiVersion,
    async serviceInstance(signal) {
      const url = urlFor(await apiVersion(signal), "/ServiceInstance");
      return decode(url, await getJson(url, signal), parseServiceInstance);
    },
    listRestoreSessions(query: ListSessionsQuery, signal?: AbortSignal, onUnreadable?) {
      const size = Math.max(1, Math.min(10_000, Math.floor(query.pageSize ?? pageSize)));
      const first = async (s?: AbortSignal) => {
        const version = await apiVersion(s);
        const q = pageQuery(size);
        if (query.startTimeFrom !== undefined) q.startTimeFrom = query.startTimeFrom.toISOString();
        if (query.startTimeTo !== undefined) q.startTimeTo = query.startTimeTo.toISOString();
        if (version === "v8") {
          if (query.endTimeFrom !== undefined) q.endTimeFrom = query.endTimeFrom.toISOString();
          if (query.endTimeTo !== undefined) q.endTimeTo = query.endTimeTo.toISOString();
          // Oldest first keeps offsets stable while new sessions arrive during paging.
          q.orderBy = "CreationTime";
          q.orderAsc = "true";
        }
        return urlFor(version, "/RestoreSessions", q);
      };
      const skip = skipper("session", onUnreadable, null, 0);
      return list(first, parseRestoreSession, signal, undefined, skip);
    },
    async getRestoreSession(id: string, signal?: AbortSignal) {
      const url = urlFor(
        await apiVersion(signal),
        `/RestoreSessions/${pathSegment(id, "restore session")}`,
      );
      const raw = await getJson(url, signal);
      try {
        return parseRestoreSession(raw);
      } catch (error) {
        if (!(error instanceof RecordError)) throw error;
        // The same failure, with the path and the record as the quarantine keeps it.
        const where = new RecordError(
          error.problem,
          error.field,
          `${error.message} (GET ${url.pathname}${url.search})`,
        );
        where.record = { ...unreadable("session", raw, error, id, null), sessionId: id };
        throw where;
      }
    },
    listRestoreSessionEvents(sessionId: string, signal?: AbortSignal, opts?: ListEventsOptions) {
      const from = Math.max(0, Math.floor(opts?.fromOffset ?? 0));
      const first = async (s?: AbortSignal) => {
        const segment = pathSegment(sessionId, "restore session");
        const q = pageQuery(pageSize);
        q.offset = String(from);
        return urlFor(await apiVersion(s), `/RestoreSessions/${segment}/Events`, q);
      };
      const skip = skipper("event", opts?.onUnreadable, sessionId, from);
      return list(first, (v) => parseRestoreEvent(v, sessionId), signal, undefined, skip);
    },
    restoreSessionChanges,
    async listOrganizations(signal?: AbortSignal) {
      const version = await apiVersion(signal);
      const url = urlFor(version, "/Organizations", version === "v8" ? pageQuery(pageSize) : {});
      const first = await getJson(url, signal);
      // A plain array on v6/v7, a page on v8.
      if (Array.isArray(first)) return first.map((o) => decode(url, o, parseOrganization));
      const out: Organization[] = [];
      for await (const org of list(() => Promise.resolve(url), parseOrganization, signal, first)) {
        out.push(org);
      }
      return out;
    },
    listOrganizationUsers(organizationId: string, signal?: AbortSignal) {
      const first = async (s?: AbortSignal) =>
        urlFor(
          await apiVersion(s),
          `/Organizations/${pathSegment(organizationId, "organization")}/Users`,
          pageQuery(pageSize),
        );
      return list(first, parseOrganizationUser, signal);
    },
    requestCount: () => requests,
    serverTime: () => serverTime,
    audit: createAuditClient({
      apiVersion,
      urlFor,
      call: callJson,
      list: (url, parse, signal) => list(async () => url, parse, signal),
      pageQuery: () => pageQuery(pageSize),
    }),
    close: () => {
      closing.abort();
      agent.destroy();
    },
  };
}
