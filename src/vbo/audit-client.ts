// VBO's audit feature over REST: the audit items of an organization (users and groups whose data
// is watched), the organization's groups and members, and the audit e-mail settings.
import { VboError } from "./errors.ts";
import { asObject, parseOrganizationUser } from "./parse.ts";
import type { ApiVersion, OrganizationUser } from "./types.ts";

export interface OrganizationGroup {
  readonly id: string;
  readonly displayName: string | null;
  /** The group's mail address. */
  readonly name: string | null;
}

export interface GroupMember {
  /** Display name. */
  readonly name: string | null;
  /** UPN. */
  readonly login: string | null;
  readonly type: string | null;
}

export type AuditItem =
  | { readonly id: string; readonly type: "User"; readonly user: OrganizationUser }
  | { readonly id: string; readonly type: "Group"; readonly group: OrganizationGroup };

export type AuditItemToAdd =
  | { readonly type: "User"; readonly user: OrganizationUser }
  | { readonly type: "Group"; readonly group: OrganizationGroup };

export type MailAuthentication = "CustomSmtp" | "GoogleGmail" | "Microsoft365";

export interface AuditEmailSettings {
  readonly enableNotification: boolean;
  readonly smtpServer: string;
  readonly port: number | null;
  readonly useAuthentication: boolean;
  readonly username: string;
  readonly useSSL: boolean;
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  /** v7 and later; null on v6. */
  readonly authenticationType: MailAuthentication | string | null;
}

export interface VboAuditClient {
  apiVersion(signal?: AbortSignal): Promise<ApiVersion>;
  listAuditItems(organizationId: string, signal?: AbortSignal): Promise<AuditItem[]>;
  addAuditItems(
    organizationId: string,
    items: readonly AuditItemToAdd[],
    signal?: AbortSignal,
  ): Promise<void>;
  removeAuditItems(
    organizationId: string,
    itemIds: readonly string[],
    signal?: AbortSignal,
  ): Promise<void>;
  listGroups(organizationId: string, signal?: AbortSignal): Promise<OrganizationGroup[]>;
  listGroupMembers(
    organizationId: string,
    groupId: string,
    signal?: AbortSignal,
  ): Promise<GroupMember[]>;
  getEmailSettings(signal?: AbortSignal): Promise<AuditEmailSettings>;
  /** PUTs the settings; the SMTP password only when given (VBO never shows it back). */
  setEmailSettings(
    settings: AuditEmailSettings,
    smtpPassword: string | null,
    signal?: AbortSignal,
  ): Promise<void>;
  /** SendTest on v6/v7, SendTestEmail on v8. */
  sendTestEmail(signal?: AbortSignal): Promise<void>;
}

export interface AuditClientDeps {
  apiVersion(signal?: AbortSignal): Promise<ApiVersion>;
  urlFor(version: ApiVersion, path: string, query?: Record<string, string>): URL;
  call(
    method: "GET" | "POST" | "PUT",
    url: URL,
    signal?: AbortSignal,
    body?: unknown,
  ): Promise<unknown>;
  list<T>(url: URL, parse: (v: unknown) => T, signal?: AbortSignal): AsyncIterable<T>;
  pageQuery(): Record<string, string>;
}

function text(o: Record<string, unknown>, key: string): string | null {
  const value = o[key];
  return typeof value === "string" ? value : null;
}

function parseGroup(value: unknown): OrganizationGroup {
  const o = asObject(value, "organization group");
  const id = text(o, "id");
  if (id === null || id === "")
    throw new VboError("bad_response", 'organization group: field "id" is missing');
  return { id, displayName: text(o, "displayName"), name: text(o, "name") };
}

function parseMember(value: unknown): GroupMember {
  const o = asObject(value, "group member");
  return { name: text(o, "name"), login: text(o, "login"), type: text(o, "type") };
}

function parseAuditItem(value: unknown): AuditItem | null {
  const o = asObject(value, "audit item");
  const id = text(o, "id") ?? "";
  const type = (text(o, "type") ?? "").toLowerCase();
  if (type === "user" && o.user !== undefined && o.user !== null)
    return { id, type: "User", user: parseOrganizationUser(o.user) };
  if (type === "group" && o.group !== undefined && o.group !== null)
    return { id, type: "Group", group: parseGroup(o.group) };
  return null;
}

function parseSettings(value: unknown): AuditEmailSettings {
  const o = asObject(value, "audit e-mail settings");
  const flag = (key: string) => o[key] === true;
  return {
    enableNotification: flag("enableNotification"),
    smtpServer: text(o, "smtpServer") ?? "",
    port: typeof o.port === "number" ? o.port : null,
    useAuthentication: flag("useAuthentication"),
    username: text(o, "username") ?? "",
    useSSL: flag("useSSL"),
    from: text(o, "from") ?? "",
    to: text(o, "to") ?? "",
    subject: text(o, "subject") ?? "",
    authenticationType: text(o, "authenticationType"),
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export function createAuditClient(deps: AuditClientDeps): VboAuditClient {
  const org = (id: string) => `/Organizations/${encodeURIComponent(id)}`;
  const url = async (path: string, signal?: AbortSignal, query?: Record<string, string>) =>
    deps.urlFor(await deps.apiVersion(signal), path, query);
  return {
    apiVersion: deps.apiVersion,
    async listAuditItems(organizationId, signal) {
      const body = await deps.call(
        "GET",
        await url(`${org(organizationId)}/AuditItems`, signal),
        signal,
      );
      if (!Array.isArray(body))
        throw new VboError("bad_response", "audit items: expected a JSON array");
      return body.map(parseAuditItem).filter((item): item is AuditItem => item !== null);
    },
    async addAuditItems(organizationId, items, signal) {
      const body = items.map((item) =>
        item.type === "User"
          ? {
              type: "User",
              user: {
                id: item.user.id,
                displayName: item.user.displayName,
                name: item.user.name,
              },
            }
          : {
              type: "Group",
              group: {
                id: item.group.id,
                displayName: item.group.displayName,
                name: item.group.name,
              },
            },
      );
      await deps.call("POST", await url(`${org(organizationId)}/AuditItems`, signal), signal, body);
    },
    async removeAuditItems(organizationId, itemIds, signal) {
      await deps.call(
        "POST",
        await url(`${org(organizationId)}/AuditItems/remove`, signal),
        signal,
        { itemIds },
      );
    },
    async listGroups(organizationId, signal) {
      const first = await url(`${org(organizationId)}/Groups`, signal, deps.pageQuery());
      return collect(deps.list(first, parseGroup, signal));
    },
    async listGroupMembers(organizationId, groupId, signal) {
      const first = await url(
        `${org(organizationId)}/Groups/${encodeURIComponent(groupId)}/Members`,
        signal,
        deps.pageQuery(),
      );
      return collect(deps.list(first, parseMember, signal));
    },
    async getEmailSettings(signal) {
      return parseSettings(
        await deps.call("GET", await url("/AuditEmailSettings", signal), signal),
      );
    },
    async setEmailSettings(settings, smtpPassword, signal) {
      const version = await deps.apiVersion(signal);
      const body: Record<string, unknown> = {
        enableNotification: settings.enableNotification,
        smtpServer: settings.smtpServer,
        ...(settings.port === null ? {} : { port: settings.port }),
        useAuthentication: settings.useAuthentication,
        username: settings.username,
        useSSL: settings.useSSL,
        from: settings.from,
        to: settings.to,
        subject: settings.subject,
        ...(smtpPassword === null ? {} : { userPassword: smtpPassword }),
      };
      if (version !== "v6" && settings.authenticationType !== null)
        body.authenticationType = settings.authenticationType;
      await deps.call("PUT", deps.urlFor(version, "/AuditEmailSettings"), signal, body);
    },
    async sendTestEmail(signal) {
      const version = await deps.apiVersion(signal);
      const path =
        version === "v8" ? "/AuditEmailSettings/SendTestEmail" : "/AuditEmailSettings/SendTest";
      await deps.call("POST", deps.urlFor(version, path), signal);
    },
  };
}
