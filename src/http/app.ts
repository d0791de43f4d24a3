// The exporter's Koa app: /metrics, /healthz, /readyz, the landing page, a session's page, the
// feed of watched accesses and the restore reports. It
// only reads state handed in through deps and never listens itself (see server.ts), so tests use
// app.callback().
import Koa from "koa";
import type { WebBasicAuth, WebTenantUser } from "../config/types.ts";
import { describeError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { Exposition } from "../metrics/exposition.ts";
import type {
  RecentSession,
  ServerStatus,
  SessionReader,
  WatchedAccessFeed,
  WatchedAccessView,
} from "../pipeline/status.ts";
import type { ReportService } from "../report/report-service.ts";
import { type AccessScope, createAccessCheck } from "./access.ts";
import { AUDIT_FEED_PATH, serveAuditFeed } from "./audit-feed.ts";
import type { GrafanaLinks } from "./grafana-explore.ts";
import { renderLandingPage } from "./landing-page.ts";
import { scopeExposition } from "./metrics-scope.ts";
import { contentSecurityPolicy } from "./page-shell.ts";
import { REPORT_PATH, REPORTS_PATH, serveReport, serveReportsIndex } from "./reports-route.ts";
import { parseSessionQuery } from "./session-query.ts";
import { renderSession } from "./session-route.ts";
import { scopedFeed } from "./tenant-feed.ts";

export interface Readiness {
  readonly ready: boolean;
  readonly reason?: string;
}

export interface AppDeps {
  readonly registry: Exposition;
  readonly statuses: () => readonly ServerStatus[];
  /** The newest sessions, newest first; with `organizations`, only theirs. */
  readonly recentSessions: (
    limit: number,
    organizations?: readonly string[],
  ) => readonly RecentSession[];
  readonly ready: () => Readiness;
  readonly version: string;
  /** When set, every path except /healthz asks for these credentials. */
  readonly basicAuth?: WebBasicAuth | null;
  /** Users who see only their organizations (needs basicAuth: the provider's own user). */
  readonly tenants?: readonly WebTenantUser[];
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
  /** The newest watched accesses, newest first, for the landing page; absent: none shown. */
  readonly latestWatchedAccesses?: (limit: number) => readonly WatchedAccessView[];
  /** Reads restore reports from VBO for /reports; absent: no reports are served. */
  readonly reports?: ReportService;
  /** Prints a report page to PDF; absent: only HTML and JSON reports. */
  readonly printPdf?: (html: string) => Promise<Buffer>;
  /** Whether a PDF can be printed now (the page offers PDF only then); absent: when printPdf is. */
  readonly printsPdf?: () => boolean;
  /** How long one report may take to read from VBO (default 10 min). */
  readonly reportTimeoutMs?: number;
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy": contentSecurityPolicy(),
};

/** Watched accesses the landing page lists. */
const WATCHED_SHOWN = 10;

const ROUTES = new Set([
  "/",
  "/session",
  "/metrics",
  "/healthz",
  "/readyz",
  AUDIT_FEED_PATH,
  REPORTS_PATH,
  REPORT_PATH,
]);

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.silent = true;
  const check = createAccessCheck(deps.basicAuth ?? null, deps.tenants ?? []);
  const now = deps.now ?? Date.now;
  /** What a tenant user's pages read: their organizations' sessions, none of the servers. */
  const scoped = (scope: AccessScope) =>
    scope === null
      ? { ...deps, now, restricted: false }
      : {
          ...deps,
          now,
          restricted: true,
          statuses: () => [],
          recentSessions: (limit: number) =>
            deps.recentSessions(limit, [...scope]).filter((s) => scope.has(s.organization)),
          grafana: null,
        };

  /** The landing page's newest watched accesses; a tenant's are looked for among the newest 1000. */
  const latestWatched = (scope: AccessScope): readonly WatchedAccessView[] => {
    const latest = deps.latestWatchedAccesses;
    if (latest === undefined) return [];
    if (scope === null) return latest(WATCHED_SHOWN);
    return latest(1000)
      .filter((a) => a.organization !== null && scope.has(a.organization))
      .slice(0, WATCHED_SHOWN);
  };

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
    const access =
      ctx.path === "/healthz"
        ? ({ kind: "ok", scope: null } as const)
        : await check(ctx.get("authorization") || undefined, ctx.request.socket.remoteAddress);
    const verdict = access.kind;
    if (access.kind === "ok") ctx.state.scope = access.scope;
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
    const scope = (ctx.state.scope ?? null) as AccessScope;
    const view = scoped(scope);
    switch (ctx.path) {
      case "/metrics": {
        const all = await deps.registry.metrics();
        const body =
          scope === null
            ? all
            : scopeExposition(
                typeof all === "string" ? all : Buffer.from(all).toString("utf8"),
                scope,
              );
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
        // The reason speaks of the provider's servers: a tenant user gets the verdict only.
        const reason = scope === null ? `: ${readiness.reason ?? "starting"}` : "";
        ctx.body = readiness.ready ? "ready\n" : `not ready${reason}\n`;
        return;
      }
      case "/session":
        await renderSession(ctx, view);
        return;
      case REPORTS_PATH:
        await serveReportsIndex(ctx, view, scope);
        return;
      case REPORT_PATH:
        await serveReport(ctx, view, scope);
        return;
      case AUDIT_FEED_PATH:
        serveAuditFeed(
          ctx,
          deps.watchedAccesses === undefined ? undefined : scopedFeed(deps.watchedAccesses, scope),
        );
        return;
      default: {
        const window = deps.sessionWindow ?? 5000;
        ctx.status = 200;
        ctx.type = "text/html; charset=utf-8";
        ctx.body = renderLandingPage({
          version: deps.version,
          now: now(),
          servers: view.statuses(),
          sessions: view.recentSessions(window),
          window,
          query: parseSessionQuery(ctx.query, deps.sessionLimit ?? 25),
          refreshSeconds: deps.refreshSeconds ?? 30,
          grafana: view.grafana ?? null,
          notice: deps.notice,
          hideServers: scope !== null,
          watched: latestWatched(scope),
        });
      }
    }
  });

  return app;
}
