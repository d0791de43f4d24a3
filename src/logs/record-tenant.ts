// The Loki tenant of a record, from the organization it carries (vbo.organization, and on event
// records vbo.organization.id): the outbox's destination for that record.
import type { TenantRouter } from "../tenants/tenant-router.ts";
import type { RouteRecord } from "./chunk-codec.ts";
import type { LogRecord } from "./records.ts";

function text(record: LogRecord, key: string): string | null {
  const found = record.attributes.find((a) => a.key === key);
  return found?.value.type === "string" ? found.value.value : null;
}

export function routeByTenant(router: TenantRouter): RouteRecord {
  return (record) =>
    router({ name: text(record, "vbo.organization"), id: text(record, "vbo.organization.id") });
}
