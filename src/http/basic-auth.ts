// HTTP basic auth for the web endpoints, in the spirit of Prometheus' web-config: constant-time
// comparison, scrypt hashes supported, successful hash checks cached so scrapes stay cheap.
import { createHash, timingSafeEqual } from "node:crypto";
import pLimit from "p-limit";
import { type PasswordHash, parsePasswordHash, verifyPassword } from "../config/password-hash.ts";
import type { WebBasicAuth } from "../config/types.ts";

export type CredentialsCheck = (authorization: string | undefined) => Promise<boolean>;

const CACHE_LIMIT = 64;

export interface CredentialsCheckOptions {
  /** Hash checks computed at once; each scrypt check holds about 32 MiB (ln=15) while it runs. */
  readonly concurrentHashChecks?: number;
  /** Hash checks allowed to wait; beyond that a request is refused without one (a flood of guesses). */
  readonly queuedHashChecks?: number;
  readonly verify?: (password: string, hash: PasswordHash) => Promise<boolean>;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** Constant-time equality of two strings of any length (compares their SHA-256 digests). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** User name and password from an `Authorization: Basic ...` header, or null. */
export function parseBasicAuthorization(
  header: string | undefined,
): { username: string; password: string } | null {
  if (header === undefined) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1] ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** A checker for the configured credentials; the cache lives in the checker, not the module. */
export function createCredentialsCheck(
  auth: WebBasicAuth,
  options: CredentialsCheckOptions = {},
): CredentialsCheck {
  const hash = auth.passwordHash === null ? null : parsePasswordHash(auth.passwordHash);
  const verified = new Set<string>();
  const limit = pLimit(options.concurrentHashChecks ?? 2);
  const queued = options.queuedHashChecks ?? 64;
  const verify = options.verify ?? verifyPassword;
  return async (authorization) => {
    const given = parseBasicAuthorization(authorization);
    if (given === null) return false;
    const userOk = safeEqual(given.username, auth.username);
    if (auth.password !== null) {
      const passwordOk = safeEqual(given.password, auth.password);
      return userOk && passwordOk;
    }
    if (hash === null) return false;
    const key = digest(`${given.username}\u0000${given.password}`).toString("hex");
    if (verified.has(key)) return userOk;
    // Unverified guesses are bounded in memory and CPU; cached credentials above never wait here.
    if (limit.pendingCount >= queued) return false;
    const passwordOk = await limit(() => verify(given.password, hash));
    if (userOk && passwordOk) {
      if (verified.size >= CACHE_LIMIT) verified.clear();
      verified.add(key);
    }
    return userOk && passwordOk;
  };
}
