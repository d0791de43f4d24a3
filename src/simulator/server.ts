// The VBO REST API simulator: a Koa app over the seeded world, with tokens, throttle and faults.
import type { Server } from "node:http";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import Koa from "koa";
import { handleAdmin } from "./admin.ts";
import { dispatchAudit } from "./audit-routes.ts";
import { AuditState } from "./audit-state.ts";
import { TokenAuthority } from "./auth.ts";
import { ChangeFeed } from "./change-feed.ts";
import { changeFeedReply } from "./change-feed-route.ts";
import { FaultDice, type FaultSettings, faultUpdateError, NO_FAULTS } from "./faults.ts";
import type { CustomSessionSpec } from "./plan.ts";
import { uuidWithTail } from "./random.ts";
import { readBody } from "./read-body.ts";
import * as routes from "./routes.ts";
import type { SimApiVersion } from "./serialize.ts";
import {
  eventJson,
  type SimRestoreEvent,
  type SimRestoreSession,
  sessionJson,
} from "./serialize.ts";
import { SimulatorWorld } from "./world.ts";

export type { FaultSettings } from "./faults.ts";
export type { CustomSessionSpec } from "./plan.ts";
export type { SimRestoreEvent, SimRestoreSession } from "./serialize.ts";
export type { SimOrganization } from "./world.ts";

export interface SimulatorOptions {
  readonly apiVersion: SimApiVersion;
  readonly host?: string;
  readonly port?: number;
  readonly username?: string;
  readonly password?: string;
  readonly seed?: number;
  readonly organizations?: number;
  readonly historySessions?: number;
  readonly historyDays?: number;
  readonly ratePerMinute?: number;
  readonly sessionDurationSeconds?: number;
  readonly tokenLifetimeSeconds?: number;
  readonly maxPageSize?: number;
  readonly tokenThrottle?: boolean;
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly clock?: () => number;
  readonly startTime?: number;
  readonly faults?: Partial<FaultSettings>;
  /** v8 change feed: a change token older than this is outdated (default 3600). */
  readonly changeTokenTtlSeconds?: number;
}

/** Ground truth for tests: what the API shows at any instant, in the API's own JSON shapes. */
export interface SimulatorTruth {
  sessionsAt(atMs: number): Iterable<SimRestoreSession>;
  eventsAt(sessionId: string, atMs: number): SimRestoreEvent[];
  addSession(spec: CustomSessionSpec): string;
  /** Deletes a session now (it answers 404 from then on); false when there is none. */
  deleteSession(id: string): boolean;
  /** Outdates every change token handed out so far. */
  expireChangeTokens(): void;
  /** Wakes waiting change-feed long polls at once (a test moved its fake clock). */
  clockMoved(): void;
  organizations(): { id: string; name: string; officeName: string }[];
  /** What the audit feature holds: the items per organization and the test mails sent. */
  readonly audit: {
    items(organizationId: string): { id: string; type: "User" | "Group"; name: string }[];
    testMailsSent(): number;
    /** Whether the last settings PUT carried an SMTP password (never shown by GET). */
    passwordSet(): boolean;
  };
}

export interface SimulatorStats {
  requests: number;
  tokenRequests: number;
  byRoute: Record<string, number>;
}

export interface RunningSimulator {
  readonly url: string;
  readonly apiVersion: SimApiVersion;
  readonly username: string;
  readonly password: string;
  readonly world: SimulatorTruth;
  readonly faults: FaultSettings;
  stats(): SimulatorStats;
  resetStats(): void;
  close(): Promise<void>;
}

export const DEFAULT_USERNAME = "vbo-admin";
export const DEFAULT_PASSWORD = "simulator";

export interface SimulatorApp {
  readonly app: Koa;
  readonly world: SimulatorTruth;
  readonly faults: FaultSettings;
  readonly username: string;
  readonly password: string;
  stats(): SimulatorStats;
  resetStats(): void;
}

function validate(options: SimulatorOptions): void {
  const maxPage = options.maxPageSize ?? 1000;
  if (!Number.isInteger(maxPage) || maxPage < 1 || maxPage > 9999)
    throw new RangeError("maxPageSize must be 1..9999");
  if ((options.organizations ?? 4) < 1) throw new RangeError("organizations must be at least 1");
  if ((options.historySessions ?? 50) < 0)
    throw new RangeError("historySessions must not be negative");
  if ((options.ratePerMinute ?? 2) < 0) throw new RangeError("ratePerMinute must not be negative");
  if ((options.tokenLifetimeSeconds ?? 3600) < 1)
    throw new RangeError("tokenLifetimeSeconds must be at least 1");
  if ((options.changeTokenTtlSeconds ?? 3600) < 1)
    throw new RangeError("changeTokenTtlSeconds must be at least 1");
  const faultError = faultUpdateError({ ...(options.faults ?? {}) });
  if (faultError !== null) throw new RangeError(faultError);
}

/** Builds the simulator's Koa app without listening (tests can use app.callback()). */
export function createSimulatorApp(options: SimulatorOptions): SimulatorApp {
  validate(options);
  const clock = options.clock ?? Date.now;
  const seed = options.seed ?? 1;
  const username = options.username ?? DEFAULT_USERNAME;
  const password = options.password ?? DEFAULT_PASSWORD;
  const world = new SimulatorWorld({
    seed,
    organizations: options.organizations ?? 4,
    historySessions: options.historySessions ?? 50,
    historyDays: options.historyDays ?? 7,
    ratePerMinute: options.ratePerMinute ?? 2,
    sessionDurationSeconds: options.sessionDurationSeconds ?? 60,
    startTime: options.startTime ?? clock(),
  });
  const faults: FaultSettings = { ...NO_FAULTS, ...options.faults };
  const feed = new ChangeFeed(world, {
    tokenTtlSeconds: options.changeTokenTtlSeconds ?? 3600,
  });
  const dice = new FaultDice(seed);
  const authority = new TokenAuthority(
    {
      username,
      password,
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
      throttle: options.tokenThrottle ?? true,
    },
    clock,
  );
  const version = options.apiVersion;
  const maxPageSize = options.maxPageSize ?? 1000;
  const installationId = uuidWithTail(0, seed, 777);
  let stats: SimulatorStats = { requests: 0, tokenRequests: 0, byRoute: {} };
  const audit = new AuditState(seed);

  const truth: SimulatorTruth = {
    *sessionsAt(atMs) {
      for (const plan of world.plansAt(atMs)) yield sessionJson(version, world, plan, atMs);
    },
    eventsAt(sessionId, atMs) {
      const plan = world.planById(sessionId, atMs);
      return plan
        ? world.eventPlansAt(plan, atMs).map((e) => eventJson(version, world, plan, e, atMs))
        : [];
    },
    addSession: (spec) => {
      const id = world.addSession(spec, clock());
      feed.notify();
      return id;
    },
    deleteSession: (id) => {
      const deleted = world.deleteSession(id, clock());
      if (deleted) feed.notify();
      return deleted;
    },
    expireChangeTokens: () => {
      feed.expireAll();
    },
    clockMoved: () => feed.notify(),
    organizations: () =>
      world.organizations().map((o) => ({ id: o.id, name: o.name, officeName: o.officeName })),
    audit: {
      items: (organizationId) =>
        audit
          .itemsOf(organizationId)
          .map((item) =>
            item.type === "User"
              ? { id: item.id, type: "User", name: item.user.name }
              : { id: item.id, type: "Group", name: item.group.name },
          ),
      testMailsSent: () => audit.testMailsSent(),
      passwordSet: () => audit.emailSettings().passwordSet,
    },
  };

  const app = new Koa();
  app.use(async (ctx) => {
    // Like a real server, every answer's Date header shows the server's own clock.
    ctx.set("Date", new Date(clock()).toUTCString());
    const path = ctx.path.replace(/\/+$/, "");
    const lower = path.toLowerCase();
    if (lower.startsWith("/_simulator/")) {
      const reply = await handleAdmin(ctx.method, lower, await readBody(ctx.req), {
        faults,
        world: truth,
      });
      ctx.status = reply.status;
      ctx.body = reply.body;
      return;
    }
    stats.requests++;
    const segments = path.split("/").filter((s) => s !== "");
    const [versionSegment, ...rest] = segments;
    const route = routeName(ctx.method, rest);
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (versionSegment?.toLowerCase() !== version) {
      ctx.status = 404;
      ctx.body = "";
      return;
    }
    const isToken = rest.length === 1 && rest[0]?.toLowerCase() === "token";
    if (isToken) {
      stats.tokenRequests++;
      if (ctx.method !== "POST") return send(ctx, routes.errorReply(version, 405, "Use POST."));
      const form = new URLSearchParams(await readBody(ctx.req));
      const caller = ctx.req.socket.remoteAddress ?? "unknown";
      const outcome = authority.grant(form, caller);
      if (outcome.kind === "issued") return send(ctx, { status: 200, body: outcome.body });
      if (outcome.kind === "throttled") {
        return send(ctx, {
          status: 429,
          body: { message: "Too many requests." },
          headers: { "Retry-After": String(outcome.retryAfterSeconds) },
        });
      }
      return send(ctx, {
        status: 400,
        body: { error: outcome.kind, error_description: outcome.description },
      });
    }
    if (!authority.check(ctx.get("authorization"))) {
      ctx.status = 401;
      ctx.body = "";
      return;
    }
    if (dice.roll(faults.errorRate)) {
      return send(
        ctx,
        routes.errorReply(version, faults.errorStatus, "Injected failure.", "HttpError"),
      );
    }
    const query = new Map<string, string>();
    for (const [key, value] of new URLSearchParams(ctx.querystring))
      query.set(key.toLowerCase(), value);
    const routeCtx: routes.RouteContext = {
      version,
      world,
      now: clock(),
      faults,
      maxPageSize,
      installationId,
      query,
    };
    const isFeed = version === "v8" && rest.length === 1 && rest[0]?.toLowerCase() === "events";
    const body = ctx.method === "GET" || isFeed ? "" : await readBody(ctx.req);
    const reply = isFeed
      ? await changeFeedReply(ctx, routeCtx, feed, clock)
      : (dispatchAudit(ctx.method, rest, routeCtx, audit, body) ??
        dispatch(ctx.method, rest, routeCtx));
    if (reply.status === 200 && dice.roll(faults.invalidJsonRate)) {
      ctx.status = 502;
      ctx.type = "text/html";
      ctx.body =
        "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>";
      return;
    }
    if (reply.status === 200 && dice.roll(faults.truncatedJsonRate)) {
      const text = JSON.stringify(reply.body);
      ctx.status = 200;
      ctx.type = "application/json; charset=utf-8";
      ctx.body = text.slice(0, Math.floor(text.length / 2));
      return;
    }
    send(ctx, reply);
  });

  return {
    app,
    world: truth,
    faults,
    username,
    password,
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = { requests: 0, tokenRequests: 0, byRoute: {} };
    },
  };
}

function send(ctx: Koa.Context, reply: routes.ApiReply): void {
  ctx.status = reply.status;
  for (const [name, value] of Object.entries(reply.headers ?? {})) ctx.set(name, value);
  ctx.type = "application/json; charset=utf-8";
  ctx.body = JSON.stringify(reply.body ?? null);
}

function routeName(method: string, rest: readonly string[]): string {
  const shape = rest.map((segment, i) => {
    const previous = rest[i - 1]?.toLowerCase();
    if (previous === "restoresessions") return "{id}";
    if (previous === "events" && i > 0) return "{eventId}";
    if (previous === "organizations") return "{organizationId}";
    return canonical(segment);
  });
  return `${method} /${shape.join("/")}`;
}

const CANONICAL: Readonly<Record<string, string>> = {
  token: "token",
  restoresessions: "RestoreSessions",
  events: "Events",
  organizations: "Organizations",
  users: "Users",
  serviceinstance: "ServiceInstance",
};

function canonical(segment: string): string {
  return CANONICAL[segment.toLowerCase()] ?? segment;
}

function dispatch(
  method: string,
  rest: readonly string[],
  ctx: routes.RouteContext,
): routes.ApiReply {
  const parts = rest.map((s) => s.toLowerCase());
  const [a, b, c, d] = [parts[0], rest[1] ?? "", parts[2], rest[3] ?? ""];
  if (method !== "GET")
    return routes.errorReply(ctx.version, 405, `${method} is not supported here.`);
  if (parts.length === 1 && a === "serviceinstance") return routes.serviceInstance(ctx);
  if (a === "restoresessions") {
    if (parts.length === 1) return routes.listSessions(ctx);
    if (parts.length === 2) return routes.getSession(ctx, b);
    if (parts.length === 3 && c === "events") return routes.listEvents(ctx, b);
    if (parts.length === 4 && c === "events") return routes.getEvent(ctx, b, d);
  }
  if (a === "organizations") {
    if (parts.length === 1) return routes.listOrganizations(ctx);
    if (parts.length === 2) return routes.getOrganization(ctx, b);
    if (parts.length === 3 && c === "users") return routes.listUsers(ctx, b);
    if (parts.length === 4 && c === "users") return routes.getUser(ctx, b, d);
  }
  return routes.errorReply(
    ctx.version,
    404,
    "The requested resource was not found.",
    "ResourceNotFound",
  );
}

/** Starts the simulator on host:port (port 0 picks a free one). */
export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const built = createSimulatorApp(options);
  const handler = built.app.callback();
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : createHttpServer(handler);
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  return {
    url: `${options.tls ? "https" : "http"}://${shownHost}:${port}`,
    apiVersion: options.apiVersion,
    username: built.username,
    password: built.password,
    world: built.world,
    faults: built.faults,
    stats: built.stats,
    resetStats: built.resetStats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
