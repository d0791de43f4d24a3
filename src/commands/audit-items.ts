// `audit items list|add|remove`: the users and groups whose backed-up data VBO audits, managed by
// name (UPN, display name, group name or mail) instead of hand-made REST calls.
import { type Candidate, describeUnresolved, resolveName } from "../audit/resolve.ts";
import { formatDuration } from "../config/duration.ts";
import type { ServerConfig } from "../config/types.ts";
import type { AuditItem, AuditItemToAdd, OrganizationGroup } from "../vbo/audit-client.ts";
import type { ClosableVboClient } from "../vbo/client.ts";
import type { Organization, OrganizationUser } from "../vbo/types.ts";
import { AuditCommandError, findOrganization } from "./audit-connect.ts";
import { UsageError } from "./command.ts";
import { printTable } from "./table.ts";

type Subject =
  | { readonly type: "User"; readonly user: OrganizationUser }
  | { readonly type: "Group"; readonly group: OrganizationGroup };

function subjectId(subject: Subject | AuditItem): string {
  return subject.type === "User" ? subject.user.id : subject.group.id;
}

function subjectName(subject: Subject | AuditItem): string {
  return subject.type === "User"
    ? (subject.user.name ?? subject.user.displayName ?? subject.user.id)
    : (subject.group.name ?? subject.group.displayName ?? subject.group.id);
}

function subjectDisplayName(subject: Subject | AuditItem): string {
  return (subject.type === "User" ? subject.user.displayName : subject.group.displayName) ?? "";
}

async function subjectsOf(
  client: ClosableVboClient,
  org: Organization,
): Promise<Candidate<Subject>[]> {
  const users: OrganizationUser[] = [];
  for await (const user of client.listOrganizationUsers(org.id)) users.push(user);
  const groups = await client.audit.listGroups(org.id);
  return [
    ...users.map((user) => ({
      value: { type: "User", user } as const,
      keys: [user.id, user.name, user.displayName, user.name?.split("@")[0] ?? null],
      label: `user ${user.displayName ?? ""} <${user.name ?? user.id}>`,
    })),
    ...groups.map((group) => ({
      value: { type: "Group", group } as const,
      keys: [group.id, group.name, group.displayName],
      label: `group ${group.displayName ?? ""} <${group.name ?? group.id}>`,
    })),
  ];
}

async function resolveSubjects(
  client: ClosableVboClient,
  org: Organization,
  typed: readonly string[],
): Promise<Subject[]> {
  const candidates = await subjectsOf(client, org);
  const problems: string[] = [];
  const found: Subject[] = [];
  for (const name of typed) {
    const resolution = resolveName(name, candidates);
    if (resolution.kind === "found") found.push(resolution.value);
    else problems.push(describeUnresolved("user or group", name, resolution, org.name));
  }
  if (problems.length > 0) throw new AuditCommandError(problems.join("\n"));
  return found;
}

export interface ItemsOptions {
  readonly organization: string | undefined;
  readonly subjects: readonly string[];
  readonly json: boolean;
  /** How this server's watchlist is read by a running exporter (for the hint after a change). */
  readonly watchlist: ServerConfig["watchlist"];
}

/** When a change of audit items reaches a running exporter, and what that means until then. */
export function watchlistHint(
  watchlist: ServerConfig["watchlist"],
  change: "add" | "remove",
): string {
  if (!watchlist.fromVbo)
    return "note: this server's watchlist.fromVbo is false, so the exporter does not read VBO's audit items (only watchlist.subjects)";
  const until =
    change === "add"
      ? "restore events it reads before then are not marked watched, though the report command, which checks against the watchlist as it is now, lists them"
      : "restore events it reads before then are still marked watched, though the report command, which checks against the watchlist as it is now, no longer lists them";
  return `note: a running exporter picks this up at its next watchlist read (within watchlist.refreshInterval, ${formatDuration(watchlist.refreshIntervalMs)} here, or at its restart); ${until}`;
}

export async function listItems(client: ClosableVboClient, options: ItemsOptions): Promise<number> {
  const organizations =
    options.organization === undefined
      ? await client.listOrganizations()
      : [await findOrganization(client, options.organization)];
  const rows: { organization: string; organizationId: string; item: AuditItem }[] = [];
  for (const org of organizations)
    for (const item of await client.audit.listAuditItems(org.id))
      rows.push({ organization: org.name, organizationId: org.id, item });
  if (options.json) {
    console.log(
      JSON.stringify(
        rows.map((r) => ({
          organization: r.organization,
          organizationId: r.organizationId,
          itemId: r.item.id,
          type: r.item.type,
          subjectId: subjectId(r.item),
          name: subjectName(r.item),
          displayName: subjectDisplayName(r.item),
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  if (rows.length === 0) {
    const only = organizations[0];
    console.log(
      options.organization !== undefined && only !== undefined
        ? `no audit items in organization ${only.name} (add some with: audit items add)`
        : "no audit items: VBO audits nobody's data yet (add some with: audit items add)",
    );
    return 0;
  }
  printTable(
    ["ORGANIZATION", "TYPE", "NAME", "DISPLAY NAME", "ITEM ID"],
    rows.map((r) => [
      r.organization,
      r.item.type,
      subjectName(r.item),
      subjectDisplayName(r.item),
      r.item.id,
    ]),
  );
  return 0;
}

function requireOrganization(options: ItemsOptions): string {
  if (options.organization === undefined)
    throw new UsageError("name the organization with --organization NAME");
  if (options.subjects.length === 0)
    throw new UsageError("name at least one user or group (UPN, display name, group name or id)");
  return options.organization;
}

export async function addItems(client: ClosableVboClient, options: ItemsOptions): Promise<number> {
  const org = await findOrganization(client, requireOrganization(options));
  const subjects = await resolveSubjects(client, org, options.subjects);
  const existing = new Set((await client.audit.listAuditItems(org.id)).map(subjectId));
  const toAdd: AuditItemToAdd[] = [];
  const seen = new Set<string>();
  for (const subject of subjects) {
    const id = subjectId(subject);
    if (existing.has(id) || seen.has(id)) {
      console.log(
        `already audited: ${subject.type.toLowerCase()} ${subjectName(subject)} (nothing to do)`,
      );
      continue;
    }
    seen.add(id);
    toAdd.push(subject);
  }
  if (toAdd.length > 0) await client.audit.addAuditItems(org.id, toAdd);
  for (const subject of toAdd)
    console.log(`added: ${subject.type.toLowerCase()} ${subjectName(subject)} in ${org.name}`);
  if (toAdd.length > 0 && !options.json) console.log(watchlistHint(options.watchlist, "add"));
  if (options.json)
    console.log(
      JSON.stringify({
        added: toAdd.map((s) => ({ type: s.type, id: subjectId(s), name: subjectName(s) })),
      }),
    );
  return 0;
}

export async function removeItems(
  client: ClosableVboClient,
  options: ItemsOptions,
): Promise<number> {
  const org = await findOrganization(client, requireOrganization(options));
  const items = await client.audit.listAuditItems(org.id);
  const byItemId = new Map(items.map((item) => [item.id.toLowerCase(), item]));
  const bySubject = new Map(items.map((item) => [subjectId(item), item]));
  const remaining = options.subjects.filter((s) => !byItemId.has(s.trim().toLowerCase()));
  const direct = options.subjects
    .map((s) => byItemId.get(s.trim().toLowerCase()))
    .filter((item): item is AuditItem => item !== undefined);
  const subjects = remaining.length === 0 ? [] : await resolveSubjects(client, org, remaining);
  const toRemove = new Map<string, AuditItem>();
  for (const item of direct) toRemove.set(item.id, item);
  for (const subject of subjects) {
    const item = bySubject.get(subjectId(subject));
    if (item) toRemove.set(item.id, item);
    else
      console.log(
        `not audited: ${subject.type.toLowerCase()} ${subjectName(subject)} (nothing to do)`,
      );
  }
  if (toRemove.size > 0) await client.audit.removeAuditItems(org.id, [...toRemove.keys()]);
  for (const item of toRemove.values())
    console.log(`removed: ${item.type.toLowerCase()} ${subjectName(item)} from ${org.name}`);
  if (toRemove.size > 0) console.log(watchlistHint(options.watchlist, "remove"));
  return 0;
}
