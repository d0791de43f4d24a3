// The simulator's own admin endpoints: read and change faults, add a restore session by hand.
import { PEOPLE } from "./catalog.ts";
import { EVENT_TYPES } from "./events.ts";
import { type FaultSettings, faultUpdateError } from "./faults.ts";
import type { CustomSessionSpec } from "./plan.ts";

export interface AdminDeps {
  readonly faults: FaultSettings;
  readonly world: {
    addSession(spec: CustomSessionSpec): string;
    deleteSession(id: string): boolean;
    expireChangeTokens(): void;
  };
}

export interface AdminReply {
  readonly status: number;
  readonly body: unknown;
}

const SPEC_KEYS: Readonly<Record<string, string>> = {
  startMs: "number",
  startedSecondsAgo: "number",
  durationSeconds: "number",
  organization: "string",
  type: "string",
  clientHost: "string",
  initiatedBy: "string",
  result: "string",
  eventCount: "number",
  mailbox: "string",
  eventType: "string",
};

function parseJson(text: string): Record<string, unknown> | string {
  try {
    const value: unknown = JSON.parse(text === "" ? "{}" : text);
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return "expected a JSON object";
    return value as Record<string, unknown>;
  } catch {
    return "the body is not valid JSON";
  }
}

/**
 * GET|PUT /_simulator/faults, POST /_simulator/sessions, DELETE /_simulator/sessions/{id},
 * POST /_simulator/change-tokens/expire (path already lower-cased).
 */
export async function handleAdmin(
  method: string,
  path: string,
  body: string,
  deps: AdminDeps,
): Promise<AdminReply> {
  if (path === "/_simulator/faults") {
    if (method === "GET") return { status: 200, body: deps.faults };
    if (method === "PUT") {
      const update = parseJson(body);
      if (typeof update === "string") return { status: 400, body: { message: update } };
      const error = faultUpdateError(update);
      if (error !== null) return { status: 400, body: { message: error } };
      Object.assign(deps.faults, update);
      return { status: 200, body: deps.faults };
    }
  }
  if (path === "/_simulator/sessions" && method === "POST") {
    const spec = parseJson(body);
    if (typeof spec === "string") return { status: 400, body: { message: spec } };
    for (const [key, value] of Object.entries(spec)) {
      const expected = SPEC_KEYS[key];
      if (expected === undefined)
        return { status: 400, body: { message: `unknown field "${key}"` } };
      if (typeof value !== expected && !(key === "clientHost" && value === null)) {
        return { status: 400, body: { message: `${key}: expected a ${expected}` } };
      }
    }
    if (
      spec.result !== undefined &&
      !["Success", "Warning", "Failed"].includes(String(spec.result))
    ) {
      return { status: 400, body: { message: "result: expected Success, Warning or Failed" } };
    }
    if (
      spec.mailbox !== undefined &&
      !PEOPLE.some(
        ([login, name]) =>
          login === String(spec.mailbox).toLowerCase() ||
          name.toLowerCase() === String(spec.mailbox).toLowerCase(),
      )
    ) {
      return {
        status: 400,
        body: { message: `mailbox: expected one of ${PEOPLE.map(([, name]) => name).join(", ")}` },
      };
    }
    if (
      spec.eventType !== undefined &&
      !(EVENT_TYPES as readonly string[]).includes(String(spec.eventType))
    ) {
      return {
        status: 400,
        body: { message: `eventType: expected one of ${EVENT_TYPES.join(", ")}` },
      };
    }
    const id = deps.world.addSession(spec as CustomSessionSpec);
    return { status: 201, body: { id } };
  }
  if (path.startsWith("/_simulator/sessions/") && method === "DELETE") {
    const id = decodeURIComponent(path.slice("/_simulator/sessions/".length));
    return deps.world.deleteSession(id)
      ? { status: 204, body: null }
      : { status: 404, body: { message: `no restore session ${id}` } };
  }
  if (path === "/_simulator/change-tokens/expire" && method === "POST") {
    deps.world.expireChangeTokens();
    return { status: 200, body: { expired: true } };
  }
  return { status: 404, body: { message: "unknown simulator admin endpoint" } };
}
