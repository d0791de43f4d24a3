// Reading one server's watchlist from VBO: each organization's audit items, with the members of
// audited groups resolved, as watchlist subjects.
import type { VboAuditClient } from "../vbo/audit-client.ts";
import type { Organization } from "../vbo/types.ts";
import type { WatchedSubject } from "./watchlist.ts";

export interface WatchlistReader {
  listOrganizations(signal?: AbortSignal): Promise<Organization[]>;
  readonly audit: Pick<VboAuditClient, "listAuditItems" | "listGroupMembers">;
}

export async function readVboWatchlist(
  client: WatchlistReader,
  signal?: AbortSignal,
): Promise<WatchedSubject[]> {
  const subjects: WatchedSubject[] = [];
  for (const org of await client.listOrganizations(signal)) {
    for (const item of await client.audit.listAuditItems(org.id, signal)) {
      if (item.type === "User") {
        const user = item.user;
        subjects.push({
          label: user.name ?? user.displayName ?? user.id,
          organization: org.name,
          kind: "user",
          people: [{ id: user.id, upn: user.name, displayName: user.displayName }],
          groupId: null,
          sitePaths: [],
          siteIds: [],
        });
      } else {
        const group = item.group;
        const members = await client.audit.listGroupMembers(org.id, group.id, signal);
        subjects.push({
          label: group.name ?? group.displayName ?? group.id,
          organization: org.name,
          kind: "group",
          people: members
            .filter((m) => (m.type ?? "User").toLowerCase() === "user")
            .map((m) => ({ id: null, upn: m.login, displayName: m.name })),
          groupId: group.id,
          sitePaths: [],
          siteIds: [],
        });
      }
    }
  }
  return subjects;
}
