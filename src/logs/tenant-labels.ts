// The `tenant` label of the per-destination vbo_log_* series: the destination's Loki tenant id
// (its X-Scope-OrgID), absent when no tenants are configured so the single default destination
// keeps the series it always had. Tenant ids are at most 150 characters (tenant-id.ts); their
// number is bounded: the configured tenants always, tenants derived per organization up to a limit
// (the organization label's), every later one as `(other)`. A tenant once admitted stays.

/**
 * What stands for every derived tenant beyond the limit. Its parentheses are outside the tenant id
 * characters ([a-z0-9_.-]), so no configured or derived tenant can share its series.
 */
export const TENANT_OVERFLOW = "(other)";

export interface TenantLabelOptions {
  /** The configured tenants: the default and those the organizations are mapped to. */
  readonly configured: readonly string[];
  /** Tenants admitted besides the configured ones before the rest count as `other`. */
  readonly limit: number;
}

export interface TenantLabels {
  /** The label value of a destination (admitting it while there is room); null without tenants. */
  of(destination: string): string | null;
  /** Every label value admitted so far, configured ones first; empty without tenants. */
  known(): readonly string[];
}

/** `null` options: no tenants configured, so no series has a tenant label. */
export function createTenantLabels(options: TenantLabelOptions | null): TenantLabels {
  if (options === null) return { of: () => null, known: () => [] };
  const configured = new Set(options.configured);
  const admitted = new Set(configured);
  let derived = 0;
  return {
    of(destination) {
      if (admitted.has(destination)) return destination;
      if (derived >= options.limit) {
        admitted.add(TENANT_OVERFLOW);
        return TENANT_OVERFLOW;
      }
      derived += 1;
      admitted.add(destination);
      return destination;
    },
    known: () => [...admitted],
  };
}
