// Who is asking: the provider's own user (web.basicAuth) sees everything, a tenant user
// (web.tenants) only their organizations. Each user's password is checked by the basic-auth
// machinery (constant time, scrypt hashes, cached, fairly queued).
import type { WebBasicAuth, WebTenantUser } from "../config/types.ts";
import {
  type CredentialsCheck,
  createCredentialsCheck,
  parseBasicAuthorization,
  safeEqual,
} from "./basic-auth.ts";

/** null: every organization (the provider); a set: only these organization label values. */
export type AccessScope = ReadonlySet<string> | null;

export type AccessVerdict =
  | { readonly kind: "ok"; readonly scope: AccessScope }
  | { readonly kind: "denied" }
  | { readonly kind: "busy" };

export type AccessCheck = (
  authorization: string | undefined,
  client?: string,
) => Promise<AccessVerdict>;

/** An open exporter (no web.basicAuth) lets everyone see everything. */
export function createAccessCheck(
  basicAuth: WebBasicAuth | null,
  tenants: readonly WebTenantUser[] = [],
): AccessCheck {
  if (basicAuth === null) return async () => ({ kind: "ok", scope: null });
  const provider = createCredentialsCheck(basicAuth);
  const users: { username: string; check: CredentialsCheck; scope: ReadonlySet<string> }[] =
    tenants.map((t) => ({
      username: t.username,
      check: createCredentialsCheck({
        username: t.username,
        password: null,
        passwordHash: t.passwordHash,
      }),
      scope: new Set(t.organizations),
    }));
  return async (authorization, client) => {
    const given = parseBasicAuthorization(authorization);
    // Every user name is compared, so the time taken does not say which one matched.
    let user: (typeof users)[number] | undefined;
    for (const candidate of users)
      if (given !== null && safeEqual(given.username, candidate.username)) user ??= candidate;
    const verdict = await (user?.check ?? provider)(authorization, client);
    if (verdict === "ok") return { kind: "ok", scope: user ? user.scope : null };
    return { kind: verdict };
  };
}
