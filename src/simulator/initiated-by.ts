// Who started a restore, in the forms VBO servers show: a UPN, DOMAIN\user or HOST\Administrator
// (with the case drift of hand-typed logins), or the organization's name for Cloud Connect restores.
import { MACHINES, PEOPLE } from "./catalog.ts";
import { domainOf, type SessionPlan, tailFor } from "./plan.ts";
import { hash32, pick } from "./random.ts";

function drift(text: string, variant: number): string {
  if (variant === 1) return text.toLowerCase();
  if (variant === 2) return text.toUpperCase();
  return text;
}

export function initiatedByText(seed: number, plan: SessionPlan, organization: string): string {
  const who = plan.initiatedBy;
  if (typeof who === "string") return who;
  if ("organization" in who) return organization;
  const tail = tailFor(plan.kind, plan.index);
  const [login] = PEOPLE[plan.personIndex] ?? ["admin"];
  const variant = hash32(seed, tail, 19) % 4;
  if ("domainAccount" in who) {
    const netbios = (domainOf(organization).split(".")[0] ?? "corp").slice(0, 15).toUpperCase();
    return `${drift(netbios, variant)}\\${variant === 3 ? login.toUpperCase() : login}`;
  }
  if ("localAdministrator" in who) {
    const host = (plan.clientHost ?? "").split(" ")[0] || pick(MACHINES, seed, tail, 18);
    return `${drift(host.toUpperCase(), variant === 1 ? 1 : 0)}\\${drift("Administrator", variant)}`;
  }
  return `${login}@${domainOf(organization)}`;
}
