// Which Loki tenant an organization's records go to: an explicit entry (by organization name or
// id), else the organization's own derived tenant when one tenant per organization is configured,
// else the default tenant. Pure: the same organization always gets the same tenant.
import { deriveTenantId, shortHash } from "./tenant-id.ts";

export interface TenantRouting {
  /** The tenant of records whose organization is unknown or not mapped. */
  readonly defaultTenant: string;
  /** Organizations not listed get a tenant of their own, derived from their name. */
  readonly perOrganization: boolean;
  /** Organization name or id → tenant id (validated, see tenant-mapping.ts). */
  readonly organizations: Readonly<Record<string, string>>;
}

export interface OrganizationRef {
  readonly name: string | null;
  readonly id: string | null;
}

export type TenantRouter = (organization: OrganizationRef) => string;

export function createTenantRouter(routing: TenantRouting): TenantRouter {
  const exact = new Map(Object.entries(routing.organizations));
  const folded = new Map<string, string>();
  for (const [key, tenant] of exact) folded.set(key.toLowerCase(), tenant);
  // Tenants that belong to someone by configuration: a derived id never lands in one of them.
  const reserved = new Set([routing.defaultTenant, ...exact.values()]);
  const lookup = (key: string | null): string | undefined =>
    key === null || key === "" ? undefined : (exact.get(key) ?? folded.get(key.toLowerCase()));
  return (organization) => {
    const listed = lookup(organization.id) ?? lookup(organization.name);
    if (listed !== undefined) return listed;
    const name = organization.name ?? "";
    if (!routing.perOrganization || name === "") return routing.defaultTenant;
    const derived = deriveTenantId(name);
    return reserved.has(derived) ? `${derived}-${shortHash(`tenant:${name}`)}` : derived;
  };
}
