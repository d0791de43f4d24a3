// GET /session?server=NAME&id=ID: the session as the state has it and its events, read from VBO
// through the injected SessionReader within a deadline and only while the browser waits.
import type { Context } from "koa";
import { describeError, toReason } from "../errors.ts";
import type { RecentSession, ServerStatus, SessionReader } from "../pipeline/status.ts";
import type { GrafanaLinks } from "./grafana-explore.ts";
import { requestSignal } from "./request-signal.ts";
import { type EventsOutcome, renderSessionPage } from "./session-page.ts";

export interface SessionRouteDeps {
  readonly version: string;
  readonly now: () => number;
  readonly statuses: () => readonly ServerStatus[];
  readonly recentSessions: (limit: number) => readonly RecentSession[];
  readonly sessionWindow?: number;
  readonly sessionReader?: SessionReader;
  readonly grafana?: GrafanaLinks | null;
  readonly notice?: string;
  /** How long VBO may take to list the events (default 20 s). */
  readonly sessionReadTimeoutMs?: number;
  /**
   * A tenant user: only sessions among recentSessions (already cut to their organizations) have
   * a page, and any other answers the same 404 whether it exists or not.
   */
  readonly restricted?: boolean;
}

/** VBO session ids are GUIDs; anything else is refused before it reaches VBO. */
const SESSION_ID = /^[A-Za-z0-9{}-]{1,100}$/;

function param(ctx: Context, name: string): string {
  const value = ctx.query[name];
  return (Array.isArray(value) ? value[0] : value) ?? "";
}

function plain(ctx: Context, status: number, text: string): void {
  ctx.status = status;
  ctx.type = "text/plain";
  ctx.body = `${text}\n`;
}

async function readEvents(
  ctx: Context,
  deps: SessionRouteDeps,
  server: string,
  id: string,
): Promise<{ outcome: EventsOutcome; status: number }> {
  if (deps.sessionReader === undefined) return { outcome: null, status: 200 };
  const timeoutMs = deps.sessionReadTimeoutMs ?? 20_000;
  try {
    const value = await deps.sessionReader.events(server, id, requestSignal(ctx, timeoutMs));
    return { outcome: { ok: true, value }, status: 200 };
  } catch (error) {
    const reason = toReason(error);
    const message =
      error instanceof DOMException && error.name === "TimeoutError"
        ? `VBO did not list them within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}; try again later`
        : reason === "not_found"
          ? `VBO has no such session (${describeError(error)})`
          : describeError(error);
    const status = reason === "not_found" ? 404 : reason === "busy" ? 503 : 502;
    return { outcome: { ok: false, message }, status };
  }
}

export async function renderSession(ctx: Context, deps: SessionRouteDeps): Promise<void> {
  const server = param(ctx, "server");
  const id = param(ctx, "id");
  if (server === "" || id === "") {
    plain(
      ctx,
      400,
      "a session page needs ?server=NAME&id=SESSION-ID (follow a link on the landing page)",
    );
    return;
  }
  if (!SESSION_ID.test(id)) {
    plain(ctx, 400, "the session id is not a VBO session id (a GUID)");
    return;
  }
  if (deps.restricted !== true && !deps.statuses().some((s) => s.server === server)) {
    plain(ctx, 404, `no server of that name is polled by this exporter`);
    return;
  }
  const session =
    deps
      .recentSessions(deps.sessionWindow ?? 5000)
      .find((s) => s.server === server && s.id === id) ?? null;
  if (deps.restricted === true && session === null) {
    plain(ctx, 404, "no such session among the sessions of your organizations");
    return;
  }
  const { outcome, status } = await readEvents(ctx, deps, server, id);
  ctx.status = status;
  ctx.type = "text/html; charset=utf-8";
  ctx.body = renderSessionPage({
    version: deps.version,
    now: deps.now(),
    server,
    id,
    session,
    events: outcome,
    grafana: deps.grafana ?? null,
    notice: deps.notice,
  });
}
