// JSON shapes exactly as each API version sends them: sessions, events, organizations, users.
import { JOB_NAMES } from "./catalog.ts";
import { eTagAt } from "./changes.ts";
import type { EventPlan } from "./events.ts";
import { type SessionPlan, tailFor } from "./plan.ts";
import { pick, unit } from "./random.ts";
import { formatInstant, formatTimeSpan } from "./time-format.ts";
import type { SimOrganization, SimUser, SimulatorWorld } from "./world.ts";

export type SimApiVersion = "v6" | "v7" | "v8";

export type SimRestoreSession = Record<string, unknown> & {
  id: string;
  state: string;
  creationTime: string;
};
export type SimRestoreEvent = Record<string, unknown> & {
  id: string;
  order: number;
  startTime: string;
};

export const SESSION_NAMES: Readonly<Record<string, string>> = {
  Vex: "Exchange restore",
  Veod: "OneDrive restore",
  Vesp: "SharePoint restore",
  Vet: "Teams restore",
};

/** A job run time the way VBO prints it in names: `8/27/2020 6:01:21 PM` (UTC here). */
function usTime(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const mm = String(d.getUTCMinutes()).padStart(2, "0");
  const ss = String(d.getUTCSeconds()).padStart(2, "0");
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${mm}:${ss} ${h < 12 ? "AM" : "PM"}`;
}

/**
 * VBO's session names: `Exchange restore (Job: Daily - 8/27/2020 6:01:21 PM)`, a restore of the
 * whole organization `(Entire organization - ...)` or of every one `(All organizations - ...)`, and
 * Teams names that carry the job without `Job:`.
 */
function sessionName(seed: number, plan: SessionPlan): string {
  const tail = tailFor(plan.kind, plan.index);
  const when = usTime(plan.startMs - 3_600_000);
  const job = pick(JOB_NAMES, seed, tail, 21);
  const kind = SESSION_NAMES[plan.type] ?? "Restore";
  if (plan.type === "Vet") return `${kind} (${job} - ${when})`;
  const roll = unit(seed, tail, 22);
  if (roll < 0.15) return `${kind} (Entire organization - ${when})`;
  if (roll < 0.22) return `${kind} (All organizations - ${when})`;
  return `${kind} (Job: ${job} - ${when})`;
}

/** Overrides enum fields with values outside the spec (the unknown-enum fault). */
export interface EnumMangler {
  session(plan: SessionPlan): boolean;
  event(plan: SessionPlan, event: EventPlan): boolean;
}

export function sessionJson(
  version: SimApiVersion,
  world: SimulatorWorld,
  plan: SessionPlan,
  atMs: number,
  unknownEnums = false,
): SimRestoreSession {
  const stopped = world.isStopped(plan, atMs);
  const base = `/${version}/RestoreSessions/${plan.id}`;
  const json: SimRestoreSession = {
    id: plan.id,
    name: sessionName(world.options.seed, plan),
    organization: world.organizationName(plan),
    type: unknownEnums ? "VeBackupCopy" : plan.type,
    creationTime: formatInstant(plan.startMs, plan.startSubNs, plan.style),
    endTime: stopped ? formatInstant(plan.endMs, plan.endSubNs, plan.style) : null,
    state: unknownEnums ? "Queued" : stopped ? "Stopped" : "Working",
    result: stopped ? plan.finalResult : "Success",
    initiatedBy: world.initiatedBy(plan),
    details: stopped
      ? `Restore session finished with ${plan.finalResult.toLowerCase()} result`
      : "",
    scopeName: plan.scopeName,
    reason: plan.reason,
  };
  if (unknownEnums && stopped) json.state = "Stopped";
  // v6 leaves unset fields out instead of sending null.
  if (version === "v6" && json.endTime === null) delete json.endTime;
  if (plan.clientHost !== undefined) json.clientHost = plan.clientHost;
  // Bumps on every change of the session or its events (see changes.ts), as the change feed says.
  if (version === "v8") json.eTag = eTagAt(world.options.seed, plan, atMs);
  json._links = {
    self: { href: base },
    organization: { href: `/${version}/Organizations/${world.organizationId(plan)}` },
    events: { href: `${base}/Events` },
  };
  return json;
}

/**
 * One event as VBO shows it at atMs. While its session works, an item still being processed is
 * `Running`: no end time, the elapsed duration, no size yet; VBO updates it in place when it ends.
 */
export function eventJson(
  version: SimApiVersion,
  world: SimulatorWorld,
  plan: SessionPlan,
  event: EventPlan,
  atMs: number,
  unknownEnums = false,
): SimRestoreEvent {
  const endMs = event.atMs + event.durationMs;
  const running = atMs < endMs && !world.isStopped(plan, atMs);
  const json: SimRestoreEvent = {
    id: event.id,
    type: unknownEnums && event.type !== "None" ? "Preview" : event.type,
    status: unknownEnums ? "PartiallySucceeded" : running ? "Running" : event.status,
    startTime: formatInstant(event.atMs, event.subNs, plan.style),
    endTime: running ? null : formatInstant(endMs, event.subNs, plan.style),
    duration: running
      ? formatTimeSpan(Math.max(0, atMs - event.atMs), 0)
      : formatTimeSpan(event.durationMs, event.durationMs === 0 ? 0 : event.subNs / 100),
    title: event.title,
    message: running ? `${event.title}: ${event.itemName} in progress` : event.message,
    order: event.order,
    itemName: event.itemName,
    itemType: event.itemType,
    itemSizeBytes: running ? 0 : event.itemSizeBytes,
    source: event.source,
    target: event.target,
  };
  if (version === "v8") {
    const orgId = world.organizationId(plan);
    json.organizationId = orgId;
    json.backedUpOrganizationId = event.type === "None" ? null : orgId.replace(/-/g, "");
    json.userId =
      plan.type === "Vex" || plan.type === "Veod"
        ? `${orgId.slice(0, 24)}${String(plan.personIndex).padStart(12, "0")}`
        : null;
    json.groupId = null;
    json.siteId = plan.type === "Vesp" ? `${orgId.slice(0, 8)}-site-${plan.index % 97}` : null;
    json.teamId =
      plan.type === "Vet"
        ? `${orgId.slice(0, 24)}${String(plan.index % 997).padStart(12, "0")}`
        : null;
  }
  if (version === "v6" && json.endTime === null) delete json.endTime;
  // v6 servers print nested links in lower case.
  const self =
    version === "v6"
      ? `/v6/restoresessions/${plan.id}/events/${event.id}`
      : `/${version}/RestoreSessions/${plan.id}/Events/${event.id}`;
  json._links = { self: { href: self } };
  return json;
}

export function organizationJson(
  version: SimApiVersion,
  org: SimOrganization,
): Record<string, unknown> {
  return {
    id: org.id,
    name: org.name,
    officeName: org.officeName,
    type: org.type,
    region: org.region,
    isExchangeOnline: true,
    isSharePointOnline: true,
    isTeamsOnline: true,
    isBackedup: true,
    _links: {
      self: { href: `/${version}/Organizations/${org.id}` },
      users: { href: `/${version}/Organizations/${org.id}/Users` },
    },
  };
}

export function userJson(
  version: SimApiVersion,
  organizationId: string,
  user: SimUser,
): Record<string, unknown> {
  return {
    id: user.id,
    displayName: user.displayName,
    name: user.name,
    type: user.type,
    locationType: user.locationType,
    _links: {
      self: {
        href: `/${version}/Organizations/${organizationId}/Users/${encodeURIComponent(user.id)}`,
      },
    },
  };
}
