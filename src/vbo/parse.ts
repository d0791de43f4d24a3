// Tolerant decoding of VBO JSON into domain types: unknown enum values and nulls are kept, a
// missing required field or a wrong type is a RecordError (bad_response) naming the field.
import { clip } from "./errors.ts";
import { parseTimeSpan, parseTimestamp } from "./time.ts";
import type {
  Organization,
  OrganizationUser,
  RestoreEvent,
  RestoreSession,
  ServiceInstance,
  Timestamp,
} from "./types.ts";
import { RecordError, type UnreadableReason } from "./unreadable.ts";

type JsonObject = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `${typeof value} ${clip(String(value), 40)}`;
}

function bad(
  what: string,
  field: string,
  why: string,
  problem: UnreadableReason = why === "is missing" || why === "is empty"
    ? "missing_field"
    : "wrong_type",
): RecordError {
  return new RecordError(problem, field, `${what}: field "${field}" ${why}`);
}

export function asObject(value: unknown, what: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RecordError(
      "not_an_object",
      null,
      `${what}: expected a JSON object, got ${describe(value)}`,
    );
  }
  return value as JsonObject;
}

/** A required text field; enum-like values sent as numbers are kept as their text. */
function requiredText(o: JsonObject, field: string, what: string): string {
  const value = o[field];
  if (value === undefined || value === null) throw bad(what, field, "is missing");
  if (typeof value === "string") {
    if (value === "" && field === "id") throw bad(what, field, "is empty");
    return value;
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw bad(what, field, `should be text, got ${describe(value)}`);
}

function optionalText(o: JsonObject, field: string, what: string): string | null {
  const value = o[field];
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw bad(what, field, `should be text, got ${describe(value)}`);
}

function optionalNumber(o: JsonObject, field: string, what: string): number | null {
  const value = o[field];
  if (value === undefined || value === null) return null;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
    return Number(value);
  }
  throw bad(what, field, `should be a number, got ${describe(value)}`);
}

function requiredTime(o: JsonObject, field: string, what: string): Timestamp {
  return parseTime(requiredText(o, field, what), field, what);
}

function optionalTime(o: JsonObject, field: string, what: string): Timestamp | null {
  const text = optionalText(o, field, what);
  return text === null || text === "" ? null : parseTime(text, field, what);
}

function parseTime(text: string, field: string, what: string): Timestamp {
  try {
    return parseTimestamp(text);
  } catch (error) {
    const why = error instanceof Error ? `is not a timestamp (${error.message})` : "";
    throw bad(what, field, why, "bad_timestamp");
  }
}

export function parseRestoreSession(value: unknown): RestoreSession {
  const what = "restore session";
  const o = asObject(value, what);
  return {
    id: requiredText(o, "id", what),
    name: optionalText(o, "name", what),
    organization: optionalText(o, "organization", what),
    type: requiredText(o, "type", what),
    creationTime: requiredTime(o, "creationTime", what),
    endTime: optionalTime(o, "endTime", what),
    state: requiredText(o, "state", what),
    result: requiredText(o, "result", what),
    initiatedBy: optionalText(o, "initiatedBy", what),
    details: optionalText(o, "details", what),
    scopeName: optionalText(o, "scopeName", what),
    clientHost: optionalText(o, "clientHost", what),
    reason: optionalText(o, "reason", what),
    eTag: optionalNumber(o, "eTag", what),
  };
}

export function parseRestoreEvent(value: unknown, sessionId: string): RestoreEvent {
  const what = "restore event";
  const o = asObject(value, what);
  const durationText = optionalText(o, "duration", what);
  return {
    id: requiredText(o, "id", what),
    sessionId,
    type: optionalText(o, "type", what) ?? "",
    status: optionalText(o, "status", what) ?? "",
    startTime: requiredTime(o, "startTime", what),
    endTime: optionalTime(o, "endTime", what),
    durationText,
    durationSeconds: durationText === null ? null : parseTimeSpan(durationText),
    title: optionalText(o, "title", what),
    message: optionalText(o, "message", what) ?? "",
    order: optionalNumber(o, "order", what) ?? 0,
    itemName: optionalText(o, "itemName", what),
    itemType: optionalText(o, "itemType", what),
    itemSizeBytes: optionalNumber(o, "itemSizeBytes", what) ?? 0,
    source: optionalText(o, "source", what),
    target: optionalText(o, "target", what),
    organizationId: optionalText(o, "organizationId", what),
    backedUpOrganizationId: optionalText(o, "backedUpOrganizationId", what),
    userId: optionalText(o, "userId", what),
    groupId: optionalText(o, "groupId", what),
    siteId: optionalText(o, "siteId", what),
    teamId: optionalText(o, "teamId", what),
  };
}

export function parseOrganization(value: unknown): Organization {
  const what = "organization";
  const o = asObject(value, what);
  return {
    id: requiredText(o, "id", what),
    name: optionalText(o, "name", what) ?? "",
    officeName: optionalText(o, "officeName", what),
    type: optionalText(o, "type", what),
    region: optionalText(o, "region", what),
  };
}

export function parseOrganizationUser(value: unknown): OrganizationUser {
  const what = "organization user";
  const o = asObject(value, what);
  return {
    id: requiredText(o, "id", what),
    displayName: optionalText(o, "displayName", what),
    name: optionalText(o, "name", what),
    type: optionalText(o, "type", what),
    locationType: optionalText(o, "locationType", what),
  };
}

export function parseServiceInstance(value: unknown): ServiceInstance {
  const what = "service instance";
  const o = asObject(value, what);
  return {
    installationId: optionalText(o, "installationId", what),
    version: optionalText(o, "version", what),
  };
}

/** One page of a list: its items (undecoded), the next link, and what the server says of itself. */
export interface Page {
  readonly results: readonly unknown[];
  readonly nextHref: string | null;
  readonly offset: number | null;
  readonly limit: number | null;
  readonly totalCount: number | null;
}

export function parsePage(value: unknown): Page {
  const what = "page";
  const o = asObject(value, what);
  const results = o.results;
  if (!Array.isArray(results)) {
    throw bad(
      what,
      "results",
      results === undefined ? "is missing" : `should be an array, got ${describe(results)}`,
    );
  }
  let nextHref: string | null = null;
  const links = o._links;
  if (typeof links === "object" && links !== null && !Array.isArray(links)) {
    const next = (links as JsonObject).next;
    if (typeof next === "object" && next !== null) {
      const href = (next as JsonObject).href;
      if (typeof href === "string" && href !== "") nextHref = href;
    } else if (typeof next === "string" && next !== "") {
      nextHref = next;
    }
  }
  return {
    results,
    nextHref,
    offset: optionalNumber(o, "offset", what),
    limit: optionalNumber(o, "limit", what),
    totalCount: optionalNumber(o, "totalCount", what),
  };
}

/** The token endpoint's answer; only expires_in is trusted for the lifetime. */
export interface TokenGrant {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly expiresInSeconds: number | null;
}

export function parseTokenGrant(value: unknown): TokenGrant {
  const what = "token response";
  const o = asObject(value, what);
  const accessToken = o.access_token;
  if (typeof accessToken !== "string" || accessToken === "") {
    throw bad(what, "access_token", accessToken === undefined ? "is missing" : "is not text");
  }
  const refresh = o.refresh_token;
  const expires = optionalNumber(o, "expires_in", what);
  return {
    accessToken,
    refreshToken: typeof refresh === "string" && refresh !== "" ? refresh : null,
    expiresInSeconds: expires !== null && expires > 0 ? expires : null,
  };
}
