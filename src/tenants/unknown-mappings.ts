// Pure: the organizations a tenant mapping names that no polled VBO server has (a typo, or an
// organization removed), so the exporter can say so at start instead of routing nothing there,
// and check-config --online can say so before.
import { boundLabel, organizationLabel } from "../pipeline/labels.ts";
import type { Organization } from "../vbo/types.ts";

export function unknownMappedOrganizations(
  mapped: readonly string[],
  known: readonly Organization[],
): string[] {
  const names = new Set<string>();
  for (const org of known) {
    names.add(org.id.toLowerCase());
    names.add(org.name.toLowerCase());
    if (org.officeName) names.add(org.officeName.toLowerCase());
  }
  return mapped.filter((key) => !names.has(key.toLowerCase()));
}

/** One server's organizations, and how long its `organization` label values may be. */
export interface ServerOrganizations {
  readonly organizations: readonly Organization[];
  readonly labelMaxLength: number;
}

/** A web.tenants user (only what the check needs). */
export interface TenantUserOrganizations {
  readonly username: string;
  readonly organizations: readonly string[];
}

/** An organization a web.tenants user is given that no server's `organization` label has. */
export interface UnknownTenantUserOrganization {
  /** Position of the user in web.tenants. */
  readonly index: number;
  readonly username: string;
  readonly organization: string;
}

export interface UnknownMappings {
  /** logs.tenants.organizations keys no server has (by name, domain or id, any letter case). */
  readonly logs: readonly string[];
  /** web.tenants organizations that are no server's `organization` label value (exact). */
  readonly web: readonly UnknownTenantUserOrganization[];
}

/** The `organization` label values the servers' organizations get (the name, bounded). */
export function organizationLabelValues(known: readonly ServerOrganizations[]): Set<string> {
  const labels = new Set<string>();
  for (const server of known)
    for (const org of server.organizations)
      labels.add(boundLabel(organizationLabel(org.name), server.labelMaxLength));
  return labels;
}

/** Both kinds of mapping checked against what the servers have. */
export function unknownMappings(
  mapped: { readonly logs: readonly string[]; readonly web: readonly TenantUserOrganizations[] },
  known: readonly ServerOrganizations[],
): UnknownMappings {
  const labels = organizationLabelValues(known);
  const web: UnknownTenantUserOrganization[] = [];
  mapped.web.forEach((user, index) => {
    for (const organization of user.organizations)
      if (!labels.has(organization)) web.push({ index, username: user.username, organization });
  });
  return {
    logs: unknownMappedOrganizations(
      mapped.logs,
      known.flatMap((s) => s.organizations),
    ),
    web,
  };
}
