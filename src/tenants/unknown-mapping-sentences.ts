// Pure: one sentence per tenant mapping that names an organization no server has, with the nearest
// organization name the servers do have when one is close (check-config --online prints them).
import { type Candidate, resolveName } from "../audit/resolve.ts";
import { formatKeyPath } from "../config/key-path.ts";
import { boundLabel, organizationLabel } from "../pipeline/labels.ts";
import type { ServerOrganizations, UnknownMappings } from "./unknown-mappings.ts";

/** Each organization once by its label value, found by its name, domain or id. */
function candidates(known: readonly ServerOrganizations[]): Candidate<string>[] {
  const byLabel = new Map<string, Candidate<string>>();
  for (const server of known)
    for (const org of server.organizations) {
      const label = boundLabel(organizationLabel(org.name), server.labelMaxLength);
      if (!byLabel.has(label))
        byLabel.set(label, { value: label, keys: [org.name, org.officeName, org.id], label });
    }
  return [...byLabel.values()];
}

/** `; did you mean "A" or "B"?`, or "" when no organization is close. */
function suggestion(typed: string, among: readonly Candidate<string>[]): string {
  const resolution = resolveName(typed, among);
  const names =
    resolution.kind === "found"
      ? [resolution.value]
      : resolution.kind === "ambiguous"
        ? resolution.labels
        : resolution.nearest;
  return names.length === 0
    ? ""
    : `; did you mean ${names.map((n) => JSON.stringify(n)).join(" or ")}?`;
}

/** `source` is the configuration's file name (or `environment`), as the offline problems start. */
export function unknownMappingSentences(
  source: string,
  unknown: UnknownMappings,
  known: readonly ServerOrganizations[],
): string[] {
  const among = candidates(known);
  const logs = unknown.logs.map(
    (key) =>
      `${source}: ${formatKeyPath(["logs", "tenants", "organizations", key])}: no VBO server has an organization of that name, Microsoft 365 domain or id${suggestion(key, among) || "; check the name"}`,
  );
  const web = unknown.web.map(
    (u) =>
      `${source}: ${formatKeyPath(["web", "tenants", u.index, "organizations"])}: user "${u.username}" is given the organization ${JSON.stringify(u.organization)}, which no VBO server has under that exact name, so that user sees an empty view of it${suggestion(u.organization, among) || "; write the name exactly as the organization label has it"}`,
  );
  return [...logs, ...web];
}
