// A tiny scriptable VBO server on loopback for client tests: tokens on the test clock, a paged
// list of sessions with events, a server-side limit cap, and a hook to answer any request by hand.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Clock } from "../../src/clock.ts";

export interface SeenRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly url: string;
  readonly authorization: string | undefined;
  readonly userAgent: string | undefined;
  /** Form fields of POST /token. */
  readonly form: Record<string, string>;
  /** Test-clock time when it arrived. */
  readonly atMs: number;
}

export interface Reply {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

export interface FakeVboOptions {
  readonly versions?: readonly string[];
  readonly username?: string;
  readonly password?: string;
  readonly clock: Clock;
  readonly tokenLifetimeSeconds?: number;
  readonly sessions?: number;
  readonly eventsPerSession?: number;
  /** Largest limit honoured (default 10000). */
  readonly maxPageSize?: number;
  /** Whether pages carry _links.next (default true). */
  readonly nextLinks?: boolean;
  /** Answers a request instead of the normal behaviour when it returns a reply. */
  readonly intercept?: (request: SeenRequest, index: number) => Reply | undefined;
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Serves under this path prefix (like a reverse proxy) while links stay server-relative. */
  readonly prefix?: string;
  /** How far the server's own clock (its Date header) is ahead of the test clock; default 0. */
  readonly clockSkewMs?: number;
}

export interface FakeVbo {
  readonly url: string;
  readonly requests: SeenRequest[];
  readonly issued: string[];
  /** Forgets every token (a server restart): the next API call gets 401 with an empty body. */
  revokeTokens(): void;
  close(): Promise<void>;
}

export function sessionJson(i: number, version: string) {
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    name: `Exchange restore ${i}`,
    organization: "contoso.onmicrosoft.com",
    type: "Vex",
    creationTime: `2026-01-01T00:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.7680229Z`,
    endTime: null,
    state: "Working",
    result: "Success",
    clientHost: `HOST${i} (via: 203.0.113.10)`,
    _links: { self: { href: `/${version}/RestoreSessions/${i}` } },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startFakeVbo(options: FakeVboOptions): Promise<FakeVbo> {
  const versions = options.versions ?? ["v8"];
  const username = options.username ?? "admin";
  const password = options.password ?? "p@ss w0rd!";
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const total = options.sessions ?? 0;
  const eventsPer = options.eventsPerSession ?? 0;
  const cap = options.maxPageSize ?? 10_000;
  const requests: SeenRequest[] = [];
  const issued: string[] = [];
  const tokens = new Map<string, { expiresMs: number; refresh: string }>();
  const refreshes = new Set<string>();
  let counter = 0;

  const issue = (): Reply => {
    counter += 1;
    const access = `access-${counter}-${Math.random().toString(36).slice(2)}`;
    const refresh = `refresh-${counter}-${Math.random().toString(36).slice(2)}`;
    tokens.set(access, { expiresMs: options.clock.now() + lifetime * 1000, refresh });
    refreshes.add(refresh);
    issued.push(access);
    return json(200, {
      access_token: access,
      token_type: "bearer",
      refresh_token: refresh,
      expires_in: lifetime,
      userName: username,
      ".issued": "Thu, 01 Jan 2026 00:00:00 GMT",
      ".expires": "not a date at all",
    });
  };

  const page = (version: string, path: string, query: URLSearchParams, items: unknown[]) => {
    const offset = Number(query.get("offset") ?? "0");
    const limit = Math.min(Number(query.get("limit") ?? "30"), cap);
    const results = items.slice(offset, offset + limit);
    const links: Record<string, { href: string }> = {
      self: { href: `/${version}${path}?offset=${offset}&limit=${limit}` },
    };
    if (options.nextLinks !== false && offset + limit < items.length) {
      links.next = { href: `/${version}${path}?offset=${offset + limit}&limit=${limit}` };
    }
    return json(200, { offset, limit, results, _links: links });
  };

  const route = (seen: SeenRequest): Reply => {
    const url = new URL(seen.url, "http://x");
    const prefix = options.prefix ?? "";
    if (!url.pathname.startsWith(`${prefix}/`)) return { status: 404, body: "" };
    url.pathname = url.pathname.slice(prefix.length);
    const [, version = "", ...rest] = url.pathname.split("/");
    if (!versions.includes(version)) return { status: 404, body: "" };
    const path = `/${rest.join("/")}`;
    if (path === "/token" && seen.method === "POST") {
      const f = seen.form;
      if (f.grant_type === "password") {
        if (f.username === username && f.password === password) return issue();
        return json(400, {
          error: "invalid_grant",
          error_description: "The user name or password is incorrect.",
        });
      }
      if (
        f.grant_type === "refresh_token" &&
        f.refresh_token !== undefined &&
        refreshes.has(f.refresh_token)
      ) {
        refreshes.delete(f.refresh_token);
        return issue();
      }
      return json(400, { error: "invalid_grant", error_description: "bad refresh token" });
    }
    const token = seen.authorization?.replace(/^Bearer /, "") ?? "";
    const held = tokens.get(token);
    if (held === undefined || held.expiresMs <= options.clock.now())
      return { status: 401, body: "" };
    if (path === "/ServiceInstance")
      return json(200, { installationId: "i-1", version: "8.1.0.305" });
    const sessions = Array.from({ length: total }, (_, i) => sessionJson(i, version));
    if (path === "/RestoreSessions") return page(version, path, url.searchParams, sessions);
    const events = /^\/RestoreSessions\/([^/]+)\/Events$/.exec(path);
    if (events !== null) {
      const list = Array.from({ length: eventsPer }, (_, i) => ({
        id: `${events[1]}-e${i}`,
        type: "Save",
        status: "Success",
        startTime: "2022-02-02T15:59:09.7680229Z",
        message: `event ${i}`,
        order: i,
      }));
      return page(version, path, url.searchParams, list);
    }
    const one = /^\/RestoreSessions\/(\d+)$/.exec(path);
    if (one !== null) return json(200, sessionJson(Number(one[1]), version));
    if (path === "/Organizations") {
      const orgs = [
        { id: "o1", name: "contoso.onmicrosoft.com" },
        { id: "o2", name: "fabrikam" },
      ];
      return version === "v8" ? page(version, path, url.searchParams, orgs) : json(200, orgs);
    }
    return json(404, { message: "not found" });
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const form: Record<string, string> = {};
    if (req.method === "POST") for (const [k, v] of new URLSearchParams(body)) form[k] = v;
    const seen: SeenRequest = {
      method: req.method ?? "",
      url: req.url ?? "",
      authorization: req.headers.authorization,
      userAgent: req.headers["user-agent"],
      form,
      atMs: options.clock.now(),
    };
    requests.push(seen);
    const reply = options.intercept?.(seen, requests.length - 1) ?? route(seen);
    // A real server's Date header shows its own clock: here, the test clock plus any skew.
    res.writeHead(reply.status, {
      date: new Date(options.clock.now() + (options.clockSkewMs ?? 0)).toUTCString(),
      ...reply.headers,
    });
    res.end(reply.body ?? "");
  };

  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    requests,
    issued,
    revokeTokens: () => {
      tokens.clear();
      refreshes.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    body: JSON.stringify(value),
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  };
}
