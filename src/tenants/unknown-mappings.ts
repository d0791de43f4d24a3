// Pure: the organizations a tenant mapping names that no polled VBO server has (a typo, or an
// organization removed), so the exporter can say so at start instead of routing nothing there.
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
