// logs.tenants as the exporter uses it: the default tenant, one tenant per organization or not, and
// the explicit entries with their tenant ids; collisions and bad ids become configuration issues.
import { tenantMappingProblems, tenantOfValue } from "../tenants/tenant-mapping.ts";
import type { TenantRouting } from "../tenants/tenant-router.ts";
import type { RuleIssue } from "./rules.ts";
import type { FileConfig } from "./schema.ts";

type FileTenants = NonNullable<NonNullable<FileConfig["logs"]>["tenants"]>;

/** The tenant of records no entry names when logs.tenants.default is not set. */
export const DEFAULT_TENANT = "default";

export function tenantsConfig(
  file: FileTenants | undefined,
  issues: RuleIssue[],
): TenantRouting | null {
  if (file === undefined) return null;
  const defaultTenant = file.default?.trim() ?? DEFAULT_TENANT;
  const written = file.organizations ?? {};
  for (const problem of tenantMappingProblems(defaultTenant, written))
    issues.push({
      path:
        problem.organization === null
          ? ["logs", "tenants", "default"]
          : ["logs", "tenants", "organizations", problem.organization],
      message: problem.message,
    });
  const organizations: Record<string, string> = {};
  for (const [organization, tenant] of Object.entries(written))
    organizations[organization] = tenantOfValue(tenant.trim());
  return { defaultTenant, perOrganization: file.perOrganization ?? false, organizations };
}
