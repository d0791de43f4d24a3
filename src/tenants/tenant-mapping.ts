// Checks a configured organization → tenant mapping: every tenant id is one Loki accepts, and two
// organizations never share a tenant by accident (different tenants written that become one).
import { deriveTenantId, isTenantId } from "./tenant-id.ts";

export interface TenantMappingProblem {
  /** The organization key the problem is about, or null for the default tenant. */
  readonly organization: string | null;
  readonly message: string;
}

/**
 * The tenant id a configured value stands for: the value itself when it is a valid tenant id,
 * else its derivation (so "Contoso Ltd" as a tenant means deriveTenantId("Contoso Ltd")).
 */
export function tenantOfValue(value: string): string {
  return isTenantId(value) ? value : deriveTenantId(value);
}

/** Problems of a mapping, one sentence each; empty when it can be used. */
export function tenantMappingProblems(
  defaultTenant: string,
  organizations: Readonly<Record<string, string>>,
): TenantMappingProblem[] {
  const problems: TenantMappingProblem[] = [];
  if (!isTenantId(defaultTenant))
    problems.push({
      organization: null,
      message:
        "the default tenant must be 1 to 150 characters of a-z, 0-9, '_', '.' or '-' (and not '.' or '..')",
    });
  /** Tenant id → the value written and the first organization that asked for it. */
  const byTenant = new Map<string, { written: string; organization: string }>();
  const seenKeys = new Map<string, string>();
  for (const [organization, written] of Object.entries(organizations)) {
    const folded = organization.toLowerCase();
    const twin = seenKeys.get(folded);
    if (twin !== undefined) {
      problems.push({
        organization,
        message: `names the same organization as "${twin}" (organization names ignore letter case)`,
      });
      continue;
    }
    seenKeys.set(folded, organization);
    if (written.trim() === "") {
      problems.push({ organization, message: "expected a tenant id, got an empty value" });
      continue;
    }
    const tenant = tenantOfValue(written.trim());
    const first = byTenant.get(tenant);
    if (first === undefined) byTenant.set(tenant, { written, organization });
    else if (first.written !== written)
      problems.push({
        organization,
        message: `its tenant "${written}" and the tenant "${first.written}" of "${first.organization}" both become the tenant id "${tenant}"; write the same tenant for both on purpose, or two different ids`,
      });
  }
  return problems;
}
