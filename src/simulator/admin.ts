// The simulator's own admin endpoints: read and change faults, add a restore session by hand.
import { PEOPLE } from "./catalog.ts";
import { EVENT_TYPES } from "./events.ts";
import { type FaultSettings, faultUpdateError } from "./faults.ts";
import type { CustomSessionSpec } from "./plan.ts";

export interface AdminDeps {
  readonly faults: FaultSettings;
  readonly world: { addSession(spec: CustomSessionSpec): string };
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

/** GET|PUT /_simulator/faults, POST /_simulator/sessions (path already lower-cased). */
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
  return { status: 404, body: { message: "unknown simulator admin endpoint" } };
}
