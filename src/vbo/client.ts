// The VBO REST client the poller uses: version detection, token cache, retries, paging and
// tolerant decoding behind the VboClient interface.
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { systemClock } from "../clock.ts";
import { silentLogger } from "../logger.ts";
import { createAuditClient, type VboAuditClient } from "./audit-client.ts";
import { TokenManager } from "./auth.ts";
import { decodeJson, errorSummary } from "./body.ts";
import { parseBaseUrl, readCa, type VboClientOptions } from "./client-options.ts";
import { VboError, type VboErrorContext } from "./errors.ts";
import { paginate } from "./paginate.ts";
import {
  parseOrganization,
  parseOrganizationUser,
  parseRestoreEvent,
  parseRestoreSession,
  parseServiceInstance,
} from "./parse.ts";
import { sendWithRetry, type Transport } from "./request.ts";
import { readServerTime, type ServerTime } from "./server-time.ts";
import type { ApiVersion, ListSessionsQuery, Organization, VboClient } from "./types.ts";
import { probeApiVersion } from "./version-probe.ts";

export type { VboClientOptions } from "./client-options.ts";

/** A VboClient that can also release its keep-alive connections. */
export interface ClosableVboClient extends VboClient {
  /** VBO's audit feature: audit items, organization groups, audit e-mail settings. */
  readonly audit: VboAuditClient;
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
    secrets: () => [options.password, ...(options.secrets ?? []), ...(auth?.secrets() ?? [])],
    countRequest: () => {
      requests += 1;
    },
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

  const tokens = new TokenManager({
    transport,
    baseUrl: base,
    username: options.username,
    password: options.password,
    version: apiVersion,
  });
  auth = tokens;

  /**
   * A request with a token: one re-login on 401, status codes turned into errors, JSON decoded
   * (null for an empty 2xx answer, as POST and PUT often give).
   */
  const callJson = async (
    method: "GET" | "POST" | "PUT",
    url: URL,
    signal?: AbortSignal,
    body?: unknown,
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
  const getJson = (url: URL, signal?: AbortSignal): Promise<unknown> =>
    callJson("GET", url, signal);

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

  async function* list<T>(
    first: URL,
    parse: (v: unknown) => T,
    signal?: AbortSignal,
    firstPage?: unknown,
  ): AsyncGenerator<T> {
    let current = first;
    let prefetched = firstPage;
    const pages = paginate({
      first,
      base,
      pageSize,
      fetchJson: (url) => {
        current = url;
        if (prefetched !== undefined && url === first) {
          const page = prefetched;
          prefetched = undefined;
          return Promise.resolve(page);
        }
        return getJson(url, signal);
      },
    });
    try {
      for await (const item of pages) yield decode(current, item, parse);
    } catch (error) {
      throw error instanceof VboError
        ? error.withContext({ method: "GET", path: `${current.pathname}${current.search}` })
        : error;
    }
  }

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
    async *listRestoreSessions(query: ListSessionsQuery, signal?: AbortSignal) {
      const version = await apiVersion(signal);
      const size = Math.max(1, Math.min(10_000, Math.floor(query.pageSize ?? pageSize)));
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
      yield* list(urlFor(version, "/RestoreSessions", q), parseRestoreSession, signal);
    },
    async getRestoreSession(id: string, signal?: AbortSignal) {
      const url = urlFor(await apiVersion(signal), `/RestoreSessions/${encodeURIComponent(id)}`);
      return decode(url, await getJson(url, signal), parseRestoreSession);
    },
    async *listRestoreSessionEvents(sessionId: string, signal?: AbortSignal) {
      const version = await apiVersion(signal);
      const url = urlFor(
        version,
        `/RestoreSessions/${encodeURIComponent(sessionId)}/Events`,
        pageQuery(pageSize),
      );
      yield* list(url, (v) => parseRestoreEvent(v, sessionId), signal);
    },
    async listOrganizations(signal?: AbortSignal) {
      const version = await apiVersion(signal);
      const url = urlFor(version, "/Organizations", version === "v8" ? pageQuery(pageSize) : {});
      const first = await getJson(url, signal);
      // A plain array on v6/v7, a page on v8.
      if (Array.isArray(first)) return first.map((o) => decode(url, o, parseOrganization));
      const out: Organization[] = [];
      for await (const org of list(url, parseOrganization, signal, first)) out.push(org);
      return out;
    },
    async *listOrganizationUsers(organizationId: string, signal?: AbortSignal) {
      const version = await apiVersion(signal);
      const url = urlFor(
        version,
        `/Organizations/${encodeURIComponent(organizationId)}/Users`,
        pageQuery(pageSize),
      );
      yield* list(url, parseOrganizationUser, signal);
    },
    requestCount: () => requests,
    serverTime: () => serverTime,
    audit: createAuditClient({
      apiVersion,
      urlFor,
      call: callJson,
      list: (url, parse, signal) => list(url, parse, signal),
      pageQuery: () => pageQuery(pageSize),
    }),
    close: () => agent.destroy(),
  };
}
