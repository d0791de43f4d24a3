// The VBO REST routes the simulator serves, answered from the world at the clock's current time.
import { eventsMissing, faultyEvent, faultySession } from "./data-faults.ts";
import type { FaultSettings } from "./faults.ts";
import { pageLinks, parsePageRequest } from "./paging.ts";
import type { SessionPlan } from "./plan.ts";
import { tailFor } from "./plan.ts";
import { unit } from "./random.ts";
import {
  eventJson,
  organizationJson,
  type SimApiVersion,
  sessionJson,
  userJson,
} from "./serialize.ts";
import type { SimulatorWorld } from "./world.ts";

export interface ApiReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RouteContext {
  readonly version: SimApiVersion;
  readonly world: SimulatorWorld;
  readonly now: number;
  readonly faults: FaultSettings;
  readonly maxPageSize: number;
  readonly installationId: string;
  /** Lower-cased query names → values. */
  readonly query: ReadonlyMap<string, string>;
}

export function errorReply(
  version: SimApiVersion,
  status: number,
  message: string,
  code?: string,
): ApiReply {
  const body: Record<string, unknown> = { message };
  // v7's spec knows only ProxyOffline as an error code; v8 has the full list.
  if (version === "v8" && code !== undefined) body.errorCode = code;
  return { status, body };
}

function badRequest(ctx: RouteContext, message: string): ApiReply {
  return errorReply(ctx.version, 400, message, "ParameterValidationFailure");
}

function notFound(ctx: RouteContext, what: string): ApiReply {
  return errorReply(ctx.version, 404, `${what} was not found.`, "ResourceNotFound");
}

function unknownEnums(ctx: RouteContext, plan: SessionPlan): boolean {
  const rate = ctx.faults.unknownEnumRate;
  return rate > 0 && unit(ctx.world.options.seed, tailFor(plan.kind, plan.index), 99) < rate;
}

function timeParam(ctx: RouteContext, name: string): number | undefined | string {
  const text = ctx.query.get(name.toLowerCase());
  if (text === undefined || text === "") return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? `Invalid ${name} "${text}": expected an ISO 8601 date and time.` : ms;
}

/** GET /RestoreSessions */
export function listSessions(ctx: RouteContext): ApiReply {
  const page = parsePageRequest(ctx.query.get("offset"), ctx.query.get("limit"), ctx.maxPageSize);
  if (typeof page === "string") return badRequest(ctx, page);
  const names = [
    "startTimeFrom",
    "startTimeTo",
    ...(ctx.version === "v8" ? ["endTimeFrom", "endTimeTo"] : []),
  ];
  const times: Record<string, number | undefined> = {};
  for (const name of names) {
    const value = timeParam(ctx, name);
    if (typeof value === "string") return badRequest(ctx, value);
    times[name] = value;
  }
  const orderBy =
    ctx.version === "v8" ? (ctx.query.get("orderby") ?? "CreationTime") : "CreationTime";
  if (!/^(creationtime|endtime)$/i.test(orderBy))
    return badRequest(ctx, `Invalid orderBy "${orderBy}".`);
  const orderAscText = ctx.version === "v8" ? (ctx.query.get("orderasc") ?? "false") : "false";
  if (!/^(true|false)$/i.test(orderAscText))
    return badRequest(ctx, `Invalid orderAsc "${orderAscText}".`);
  // Newest first by default on every version (v6/v7 have no orderAsc). Offsets count from the newest,
  // so a session arriving between two pages shifts older ones down: a client paging by offset sees a
  // repeat, never a gap. With orderAsc=true (v8) arrivals only append, so offsets stay stable.
  const ascending = orderAscText.toLowerCase() === "true";

  const window = ctx.world.window(
    times.startTimeFrom ?? Number.NEGATIVE_INFINITY,
    times.startTimeTo ?? Number.POSITIVE_INFINITY,
    ctx.now,
  );
  let pick: (position: number) => SessionPlan;
  let total = window.length;
  const endFrom = times.endTimeFrom;
  const endTo = times.endTimeTo;
  if (endFrom !== undefined || endTo !== undefined || /^endtime$/i.test(orderBy)) {
    // End-time filters and order need the whole window; real servers are slow here too.
    const plans: SessionPlan[] = [];
    for (let i = 0; i < window.length; i++) {
      const plan = window.at(i);
      const stopped = ctx.world.isStopped(plan, ctx.now);
      if (endFrom !== undefined && (!stopped || plan.endMs < endFrom)) continue;
      if (endTo !== undefined && (!stopped || plan.endMs > endTo)) continue;
      plans.push(plan);
    }
    if (/^endtime$/i.test(orderBy)) {
      const endOf = (p: SessionPlan) =>
        ctx.world.isStopped(p, ctx.now) ? p.endMs : Number.POSITIVE_INFINITY;
      plans.sort((a, b) => endOf(a) - endOf(b) || a.startMs - b.startMs);
    }
    total = plans.length;
    pick = (position) =>
      plans[ascending ? position : total - 1 - position] ?? plans[0] ?? window.at(0);
  } else {
    pick = (position) => window.at(ascending ? position : total - 1 - position);
  }
  const show = (plan: SessionPlan) =>
    faultySession(
      ctx.faults,
      ctx.world.options.seed,
      plan,
      sessionJson(ctx.version, ctx.world, plan, ctx.now, unknownEnums(ctx, plan)),
    );
  if (ctx.faults.endlessPaging === 1) return endlessPage(ctx, total, page.limit, pick, show);
  const results = [];
  for (let p = page.offset; p < Math.min(total, page.offset + page.limit); p++) {
    results.push(show(pick(p)));
  }
  const params: Record<string, string> = {};
  for (const name of names) {
    const value = ctx.query.get(name.toLowerCase());
    if (value !== undefined && value !== "") params[name] = value;
  }
  if (ctx.version === "v8") {
    if (ctx.query.has("orderby")) params.orderBy = orderBy;
    if (ctx.query.has("orderasc")) params.orderAsc = orderAscText;
  }
  const body: Record<string, unknown> = {
    offset: page.offset,
    limit: page.limit,
    results,
    _links: pageLinks({
      path: `/${ctx.version}/RestoreSessions`,
      params,
      offset: page.offset,
      limit: page.limit,
      total,
    }),
  };
  if (ctx.version !== "v8") body.totalCount = total;
  return { status: 200, body };
}

/** The endlessPaging fault: `?cursor=k` shows items k..k+limit-1 (wrapping), next is k+1, forever. */
function endlessPage(
  ctx: RouteContext,
  total: number,
  limit: number,
  pick: (position: number) => SessionPlan,
  show: (plan: SessionPlan) => Record<string, unknown>,
): ApiReply {
  const cursor = Math.max(0, Math.floor(Number(ctx.query.get("cursor") ?? "0")) || 0);
  const results = [];
  for (let i = 0; i < Math.min(limit, total); i++) results.push(show(pick((cursor + i) % total)));
  const path = `/${ctx.version}/RestoreSessions`;
  return {
    status: 200,
    body: {
      offset: 0,
      limit,
      results,
      _links: {
        self: { href: `${path}?cursor=${cursor}&limit=${limit}` },
        next: { href: `${path}?cursor=${cursor + 1}&limit=${limit}` },
      },
    },
  };
}

function sessionOr404(ctx: RouteContext, id: string): SessionPlan | ApiReply {
  return ctx.world.planById(id, ctx.now) ?? notFound(ctx, `Restore session ${id}`);
}

/** GET /RestoreSessions/{id} */
export function getSession(ctx: RouteContext, id: string): ApiReply {
  const plan = sessionOr404(ctx, id);
  if ("status" in plan) return plan;
  return {
    status: 200,
    body: faultySession(
      ctx.faults,
      ctx.world.options.seed,
      plan,
      sessionJson(ctx.version, ctx.world, plan, ctx.now, unknownEnums(ctx, plan)),
    ),
  };
}

/** GET /RestoreSessions/{id}/Events */
export function listEvents(ctx: RouteContext, id: string): ApiReply {
  const plan = sessionOr404(ctx, id);
  if ("status" in plan) return plan;
  if (eventsMissing(ctx.faults, plan)) return notFound(ctx, `Events of restore session ${id}`);
  const page = parsePageRequest(ctx.query.get("offset"), ctx.query.get("limit"), ctx.maxPageSize);
  if (typeof page === "string") return badRequest(ctx, page);
  const events = ctx.world.eventPlansAt(plan, ctx.now);
  const mangled = unknownEnums(ctx, plan);
  const results = events
    .slice(page.offset, page.offset + page.limit)
    .map((event) =>
      faultyEvent(
        ctx.faults,
        ctx.world.options.seed,
        plan,
        eventJson(ctx.version, ctx.world, plan, event, ctx.now, mangled),
      ),
    );
  const body: Record<string, unknown> = {
    offset: page.offset,
    limit: page.limit,
    results,
    _links: pageLinks({
      path: `/${ctx.version}/RestoreSessions/${plan.id}/Events`,
      params: {},
      offset: page.offset,
      limit: page.limit,
      total: events.length,
    }),
  };
  if (ctx.version !== "v8") body.totalCount = events.length;
  return { status: 200, body };
}

/** GET /RestoreSessions/{id}/Events/{eventId} */
export function getEvent(ctx: RouteContext, id: string, eventId: string): ApiReply {
  const plan = sessionOr404(ctx, id);
  if ("status" in plan) return plan;
  const event = ctx.world.eventPlansAt(plan, ctx.now).find((e) => e.id === eventId.toLowerCase());
  if (!event) return notFound(ctx, `Event ${eventId}`);
  return {
    status: 200,
    body: eventJson(ctx.version, ctx.world, plan, event, ctx.now, unknownEnums(ctx, plan)),
  };
}

/** GET /Organizations: a plain array on v6/v7, a page on v8. */
export function listOrganizations(ctx: RouteContext): ApiReply {
  const all = ctx.world.organizations().map((org) => organizationJson(ctx.version, org));
  if (ctx.version !== "v8") return { status: 200, body: all };
  const page = parsePageRequest(ctx.query.get("offset"), ctx.query.get("limit"), ctx.maxPageSize);
  if (typeof page === "string") return badRequest(ctx, page);
  return {
    status: 200,
    body: {
      offset: page.offset,
      limit: page.limit,
      results: all.slice(page.offset, page.offset + page.limit),
      _links: pageLinks({
        path: "/v8/Organizations",
        params: {},
        offset: page.offset,
        limit: page.limit,
        total: all.length,
      }),
    },
  };
}

/** GET /Organizations/{id}: the target of every session's organization link. */
export function getOrganization(ctx: RouteContext, organizationId: string): ApiReply {
  const org = ctx.world.organizations().find((o) => o.id === organizationId.toLowerCase());
  if (!org) return notFound(ctx, `Organization ${organizationId}`);
  return { status: 200, body: organizationJson(ctx.version, org) };
}

/** GET /Organizations/{id}/Users/{userId}: the target of every user's self link. */
export function getUser(ctx: RouteContext, organizationId: string, userId: string): ApiReply {
  const users = ctx.world.users(organizationId.toLowerCase());
  if (users === null) return notFound(ctx, `Organization ${organizationId}`);
  const user = users.find((u) => u.id.toLowerCase() === decodeURIComponent(userId).toLowerCase());
  if (!user) return notFound(ctx, `User ${userId}`);
  return { status: 200, body: userJson(ctx.version, organizationId, user) };
}

/** GET /Organizations/{id}/Users */
export function listUsers(ctx: RouteContext, organizationId: string): ApiReply {
  const users = ctx.world.users(organizationId.toLowerCase());
  if (users === null) return notFound(ctx, `Organization ${organizationId}`);
  return pagedList(ctx, `/${ctx.version}/Organizations/${organizationId}/Users`, users, (u) =>
    userJson(ctx.version, organizationId, u),
  );
}

/** One page of a plain list (no filters): only the page's items are serialized. */
export function pagedList<T>(
  ctx: RouteContext,
  path: string,
  items: readonly T[],
  toJson: (item: T) => unknown,
): ApiReply {
  const page = parsePageRequest(ctx.query.get("offset"), ctx.query.get("limit"), ctx.maxPageSize);
  if (typeof page === "string") return badRequest(ctx, page);
  const body: Record<string, unknown> = {
    offset: page.offset,
    limit: page.limit,
    results: items.slice(page.offset, page.offset + page.limit).map(toJson),
    _links: pageLinks({
      path,
      params: {},
      offset: page.offset,
      limit: page.limit,
      total: items.length,
    }),
  };
  if (ctx.version !== "v8") body.totalCount = items.length;
  return { status: 200, body };
}

const PRODUCT_BUILDS: Readonly<Record<SimApiVersion, string>> = {
  v6: "6.1.0.222",
  v7: "7.1.0.1401",
  v8: "8.1.1.159",
};

/** GET /ServiceInstance */
export function serviceInstance(ctx: RouteContext): ApiReply {
  return {
    status: 200,
    body: { installationId: ctx.installationId, version: PRODUCT_BUILDS[ctx.version] },
  };
}
