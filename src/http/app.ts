// The exporter's Koa app: /metrics, /healthz, /readyz, the landing page and a session's page. It
// only reads state handed in through deps and never listens itself (see server.ts), so tests use
// app.callback().
import Koa from "koa";
import type { WebBasicAuth } from "../config/types.ts";
import { describeError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { Exposition } from "../metrics/exposition.ts";
import type {
  RecentSession,
  ServerStatus,
  SessionReader,
  WatchedAccessFeed,
} from "../pipeline/status.ts";
import { AUDIT_FEED_PATH, serveAuditFeed } from "./audit-feed.ts";
import { createCredentialsCheck } from "./basic-auth.ts";
import type { GrafanaLinks } from "./grafana-explore.ts";
import { renderLandingPage } from "./landing-page.ts";
import { contentSecurityPolicy } from "./page-shell.ts";
import { parseSessionQuery } from "./session-query.ts";
import { renderSession } from "./session-route.ts";

export interface Readiness {
  readonly ready: boolean;
  readonly reason?: string;
}

export interface AppDeps {
  readonly registry: Exposition;
  readonly statuses: () => readonly ServerStatus[];
  readonly recentSessions: (limit: number) => readonly RecentSession[];
  readonly ready: () => Readiness;
  readonly version: string;
  /** When set, every path except /healthz asks for these credentials. */
  readonly basicAuth?: WebBasicAuth | null;
  readonly logger?: Logger;
  /** Epoch milliseconds (injectable for tests). */
  readonly now?: () => number;
  /** A plain-text notice shown on the landing page, e.g. that the data is simulated. */
  readonly notice?: string;
  /** How many sessions the landing page lists (default 25). */
  readonly sessionLimit?: number;
  /** How many of the newest sessions the landing page filters and counts (default 5000). */
  readonly sessionWindow?: number;
  /** Seconds between the landing page's reloads (default 30). */
  readonly refreshSeconds?: number;
  /** Reads a session's events from VBO for its page; without it the page shows no events. */
  readonly sessionReader?: SessionReader;
  /** Where the audit log can be explored; null or absent hides the links. */
  readonly grafana?: GrafanaLinks | null;
  /** How long a session's events may take to read from VBO (default 20 s). */
  readonly sessionReadTimeoutMs?: number;
  /** The feed of watched accesses behind /api/v1/audit/accesses; absent: an empty feed. */
  readonly watchedAccesses?: WatchedAccessFeed;
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy": contentSecurityPolicy(),
};

const ROUTES = new Set(["/", "/session", "/metrics", "/healthz", "/readyz", AUDIT_FEED_PATH]);

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.silent = true;
  const check = deps.basicAuth ? createCredentialsCheck(deps.basicAuth) : null;
  const now = deps.now ?? Date.now;

  app.use(async (ctx, next) => {
    ctx.set(SECURITY_HEADERS);
    try {
      await next();
    } catch (error) {
      deps.logger?.error({ err: describeError(error), path: ctx.path }, "web request failed");
      ctx.status = 500;
      ctx.type = "text/plain";
      ctx.body = "internal server error\n";
    }
  });

  app.use(async (ctx, next) => {
    if (!ROUTES.has(ctx.path)) {
      ctx.status = 404;
      ctx.type = "text/plain";
      ctx.body = "404 page not found\n";
      return;
    }
    if (ctx.method !== "GET" && ctx.method !== "HEAD") {
      ctx.status = 405;
      ctx.set("Allow", "GET, HEAD");
      ctx.type = "text/plain";
      ctx.body = "method not allowed\n";
      return;
    }
    // /healthz stays open so orchestrators can probe without credentials.
    const verdict =
      check && ctx.path !== "/healthz"
        ? await check(ctx.get("authorization") || undefined, ctx.request.socket.remoteAddress)
        : "ok";
    if (verdict === "busy") {
      // Too many password checks waiting: a scraper must retry, not conclude its password is wrong.
      ctx.status = 503;
      ctx.set("Retry-After", "1");
      ctx.type = "text/plain";
      ctx.body = "too many password checks at once; retry shortly\n";
      return;
    }
    if (verdict === "denied") {
      ctx.status = 401;
      ctx.set("WWW-Authenticate", 'Basic realm="vbo-restore-exporter", charset="UTF-8"');
      ctx.type = "text/plain";
      ctx.body = "unauthorized\n";
      return;
    }
    await next();
  });

  app.use(async (ctx) => {
    ctx.set("Cache-Control", "no-store");
    switch (ctx.path) {
      case "/metrics": {
        const body = await deps.registry.metrics();
        ctx.status = 200;
        ctx.set("Content-Type", deps.registry.contentType);
        ctx.body = body;
        return;
      }
      case "/healthz":
        ctx.status = 200;
        ctx.type = "text/plain";
        ctx.body = "ok\n";
        return;
      case "/readyz": {
        const readiness = deps.ready();
        ctx.status = readiness.ready ? 200 : 503;
        ctx.type = "text/plain";
        ctx.body = readiness.ready ? "ready\n" : `not ready: ${readiness.reason ?? "starting"}\n`;
        return;
      }
      case "/session":
        await renderSession(ctx, { ...deps, now });
        return;
      case AUDIT_FEED_PATH:
        serveAuditFeed(ctx, deps.watchedAccesses);
        return;
      default: {
        const window = deps.sessionWindow ?? 5000;
        ctx.status = 200;
        ctx.type = "text/html; charset=utf-8";
        ctx.body = renderLandingPage({
          version: deps.version,
          now: now(),
          servers: deps.statuses(),
          sessions: deps.recentSessions(window),
          window,
          query: parseSessionQuery(ctx.query, deps.sessionLimit ?? 25),
          refreshSeconds: deps.refreshSeconds ?? 30,
          grafana: deps.grafana ?? null,
          notice: deps.notice,
        });
      }
    }
  });

  return app;
}
