// The audit routes the simulator serves: organization groups and their members, AuditItems (list,
// add, remove) and AuditEmailSettings (get, set, test mail), with the versions' differences:
// 201/200 on v6/v7 and 204 on v8, SendTest on v6/v7 and SendTestEmail on v8, no authenticationType
// on v6.
import { AuditState, type EmailSettings, type SimAuditItem, type SimGroup } from "./audit-state.ts";
import { type ApiReply, errorReply, pagedList, type RouteContext } from "./routes.ts";
import { type SimApiVersion, userJson } from "./serialize.ts";
import type { SimOrganization } from "./world.ts";

const AUTH_TYPES = ["CustomSmtp", "GoogleGmail", "Microsoft365"] as const;

function noContent(version: SimApiVersion, legacyStatus: number): ApiReply {
  return version === "v8" ? { status: 204 } : { status: legacyStatus };
}

function groupJson(
  version: SimApiVersion,
  orgId: string,
  group: SimGroup,
): Record<string, unknown> {
  return {
    id: group.id,
    displayName: group.displayName,
    name: group.name,
    type: "Office365",
    locationType: "Cloud",
    _links: {
      self: { href: `/${version}/Organizations/${orgId}/Groups/${group.id}` },
      members: { href: `/${version}/Organizations/${orgId}/Groups/${group.id}/Members` },
    },
  };
}

function auditItemJson(
  version: SimApiVersion,
  orgId: string,
  item: SimAuditItem,
): Record<string, unknown> {
  return item.type === "User"
    ? { id: item.id, type: "User", user: userJson(version, orgId, item.user) }
    : { id: item.id, type: "Group", group: groupJson(version, orgId, item.group) };
}

function settingsJson(version: SimApiVersion, s: EmailSettings): Record<string, unknown> {
  const body: Record<string, unknown> = {
    enableNotification: s.enableNotification,
    smtpServer: s.smtpServer,
    port: s.port,
    useAuthentication: s.useAuthentication,
    username: s.username,
    useSSL: s.useSSL,
    from: s.from,
    to: s.to,
    subject: s.subject,
  };
  if (AuditState.versionHasAuthType(version)) {
    body.authenticationType = s.authenticationType;
    body.isAuthenticated = s.authenticationType === "CustomSmtp";
  }
  return body;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface AuditScope {
  readonly org: SimOrganization;
  readonly index: number;
}

function organization(ctx: RouteContext, id: string): AuditScope | null {
  const all = ctx.world.organizations();
  const index = all.findIndex((o) => o.id === id.toLowerCase());
  const org = all[index];
  return org === undefined ? null : { org, index };
}

function addItems(
  ctx: RouteContext,
  state: AuditState,
  scope: AuditScope,
  bodyText: string,
): ApiReply {
  const body = parseBody(bodyText);
  if (!Array.isArray(body))
    return errorReply(ctx.version, 400, "The request body must be an array of audit items.");
  const users = ctx.world.users(scope.org.id) ?? [];
  const groups = state.groups(scope.org, scope.index);
  const items: SimAuditItem[] = [];
  for (const entry of body) {
    if (!isObject(entry)) return errorReply(ctx.version, 400, "An audit item must be an object.");
    const type = String(entry.type ?? "").toLowerCase();
    const ref = type === "user" ? entry.user : type === "group" ? entry.group : undefined;
    const id = isObject(ref) && typeof ref.id === "string" ? ref.id : undefined;
    if (id === undefined)
      return errorReply(ctx.version, 400, "An audit item needs type User or Group and its id.");
    if (type === "user") {
      const user = users.find((u) => u.id.toLowerCase() === id.toLowerCase());
      if (!user) return errorReply(ctx.version, 400, `User ${id} was not found.`);
      items.push({ id: `audit-${user.id}`, type: "User", user });
    } else {
      const group = groups.find((g) => g.id === id.toLowerCase());
      if (!group) return errorReply(ctx.version, 400, `Group ${id} was not found.`);
      items.push({ id: `audit-${group.id}`, type: "Group", group });
    }
  }
  state.add(scope.org.id, items);
  return noContent(ctx.version, 201);
}

function removeItems(
  ctx: RouteContext,
  state: AuditState,
  scope: AuditScope,
  bodyText: string,
): ApiReply {
  const body = parseBody(bodyText);
  const ids = isObject(body) ? body.itemIds : undefined;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string"))
    return errorReply(ctx.version, 400, 'The request body must be {"itemIds": [...]}.');
  const missing = state.remove(scope.org.id, ids as string[]);
  if (missing.length > 0)
    return errorReply(ctx.version, 404, `Audit item ${missing.join(", ")} was not found.`);
  return noContent(ctx.version, 200);
}

function putSettings(ctx: RouteContext, state: AuditState, bodyText: string): ApiReply {
  const body = parseBody(bodyText);
  if (!isObject(body)) return errorReply(ctx.version, 400, "The request body must be an object.");
  const next = state.emailSettings();
  const text = (key: keyof EmailSettings) => {
    const value = body[key];
    if (value === undefined || value === null) return;
    if (typeof value !== "string") throw new Error(`${key} must be a string.`);
    (next as unknown as Record<string, unknown>)[key] = value;
  };
  const flag = (key: keyof EmailSettings) => {
    const value = body[key];
    if (value === undefined || value === null) return;
    if (typeof value !== "boolean") throw new Error(`${key} must be true or false.`);
    (next as unknown as Record<string, unknown>)[key] = value;
  };
  try {
    for (const key of ["smtpServer", "username", "from", "to", "subject"] as const) text(key);
    for (const key of ["enableNotification", "useAuthentication", "useSSL"] as const) flag(key);
    if (body.port !== undefined && body.port !== null) {
      if (
        !Number.isInteger(body.port) ||
        (body.port as number) < 1 ||
        (body.port as number) > 65_535
      )
        throw new Error("port must be a whole number between 1 and 65535.");
      next.port = body.port as number;
    }
    if (body.authenticationType !== undefined) {
      if (!AuditState.versionHasAuthType(ctx.version))
        throw new Error("authenticationType is not a property of this API version.");
      if (!(AUTH_TYPES as readonly unknown[]).includes(body.authenticationType))
        throw new Error(`authenticationType must be one of ${AUTH_TYPES.join(", ")}.`);
      next.authenticationType = body.authenticationType as string;
    }
  } catch (error) {
    return errorReply(ctx.version, 400, (error as Error).message);
  }
  if (typeof body.userPassword === "string" && body.userPassword !== "") next.passwordSet = true;
  state.setEmailSettings(next);
  return noContent(ctx.version, 200);
}

function sendTest(ctx: RouteContext, state: AuditState): ApiReply {
  const s = state.emailSettings();
  if (s.authenticationType === "CustomSmtp" && s.smtpServer === "")
    return errorReply(ctx.version, 400, "The SMTP server is not configured.");
  if (s.to === "") return errorReply(ctx.version, 400, "No recipient is configured.");
  state.sendTest();
  return noContent(ctx.version, 200);
}

/**
 * The audit routes, or null when the path is not one of them. `rest` is the path after the
 * version, as sent; `body` the request text (empty for GET).
 */
export function dispatchAudit(
  method: string,
  rest: readonly string[],
  ctx: RouteContext,
  state: AuditState,
  body: string,
): ApiReply | null {
  const parts = rest.map((s) => s.toLowerCase());
  const v = ctx.version;
  if (parts[0] === "auditemailsettings") {
    if (parts.length === 1 && method === "GET")
      return { status: 200, body: settingsJson(v, state.emailSettings()) };
    if (parts.length === 1 && method === "PUT") return putSettings(ctx, state, body);
    const test = v === "v8" ? "sendtestemail" : "sendtest";
    if (parts.length === 2 && parts[1] === test && method === "POST") return sendTest(ctx, state);
    return null;
  }
  if (parts[0] !== "organizations" || parts.length < 3) return null;
  const section = parts[2];
  if (section !== "audititems" && section !== "groups") return null;
  const scope = organization(ctx, rest[1] ?? "");
  if (scope === null) return errorReply(v, 404, `Organization ${rest[1]} was not found.`);
  const orgId = scope.org.id;
  if (section === "audititems") {
    if (parts.length === 3 && method === "GET")
      return { status: 200, body: state.itemsOf(orgId).map((i) => auditItemJson(v, orgId, i)) };
    if (parts.length === 3 && method === "POST") return addItems(ctx, state, scope, body);
    if (parts.length === 4 && parts[3] === "remove" && method === "POST")
      return removeItems(ctx, state, scope, body);
    return null;
  }
  if (method !== "GET") return null;
  const groups = state.groups(scope.org, scope.index);
  if (parts.length === 3) {
    const wanted = ctx.query.get("displayname")?.toLowerCase();
    const list = groups.filter(
      (g) => wanted === undefined || g.displayName.toLowerCase().includes(wanted),
    );
    return pagedList(ctx, `/${v}/Organizations/${orgId}/Groups`, list, (g) =>
      groupJson(v, orgId, g),
    );
  }
  const group = groups.find((g) => g.id === parts[3]);
  if (!group) return errorReply(v, 404, `Group ${rest[3]} was not found.`);
  if (parts.length === 4) return { status: 200, body: groupJson(v, orgId, group) };
  if (parts.length === 5 && parts[4] === "members") {
    const path = `/${v}/Organizations/${orgId}/Groups/${group.id}/Members`;
    return pagedList(ctx, path, AuditState.peopleOf(group), ([login, name]) => ({
      groupId: group.id,
      name,
      login: `${login}@${scope.org.officeName}`,
      type: "User",
      isCloud: true,
    }));
  }
  return null;
}
