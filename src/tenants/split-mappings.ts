// Pure: organizations that logs.tenants.organizations maps more than once (by id, name or
// Microsoft 365 domain) to different tenants, which would split their audit trail across tenants;
// only the servers' real organizations can tell that an id and a name are the same one.
import { formatKeyPath } from "../config/key-path.ts";
import type { Organization } from "../vbo/types.ts";

export interface SplitMapping {
  /** The organization's name as VBO has it. */
  readonly organization: string;
  /** The keys that name it, in the file's order, with the tenant each sends it to. */
  readonly keys: readonly { readonly key: string; readonly tenant: string }[];
}

export function splitMappings(
  mapping: Readonly<Record<string, string>>,
  known: readonly Organization[],
): SplitMapping[] {
  const split: SplitMapping[] = [];
  for (const org of known) {
    const names = new Set(
      [org.id, org.name, org.officeName].flatMap((n) => (n ? [n.toLowerCase()] : [])),
    );
    const keys = Object.entries(mapping)
      .filter(([key]) => names.has(key.toLowerCase()))
      .map(([key, tenant]) => ({ key, tenant }));
    if (new Set(keys.map((k) => k.tenant)).size > 1) split.push({ organization: org.name, keys });
  }
  return split;
}

/** One sentence per split organization; `source` starts it as the offline problems do. */
export function splitMappingSentence(source: string, split: SplitMapping): string {
  const keys = split.keys.map(
    (k) =>
      `${formatKeyPath(["logs", "tenants", "organizations", k.key])} (tenant ${JSON.stringify(k.tenant)})`,
  );
  return `${source}: ${keys.join(" and ")} name the same organization ${JSON.stringify(split.organization)}, so its audit trail would be split across ${keys.length} tenants; keep one of the keys`;
}
