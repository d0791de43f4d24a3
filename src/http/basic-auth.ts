// HTTP basic auth for the web endpoints, in the spirit of Prometheus' web-config: constant-time
// comparison, scrypt hashes supported, successful hash checks cached so scrapes stay cheap, and
// hash checks queued fairly per client so a flood of guesses never turns correct credentials away.
import { createHash, timingSafeEqual } from "node:crypto";
import { type PasswordHash, parsePasswordHash, verifyPassword } from "../config/password-hash.ts";
import type { WebBasicAuth } from "../config/types.ts";
import { createFairQueue } from "./fair-queue.ts";

/**
 * ok: the credentials are right. denied: wrong or missing (401). busy: the hash check could not
 * be queued (too many checks waiting): nothing is known about the credentials, so the answer is
 * "retry later" (503), never 401, which a scraper would report as wrong credentials.
 */
export type CredentialsVerdict = "ok" | "denied" | "busy";

/** Checks an Authorization header; `client` (the peer address) decides whose turn a hash check is. */
export type CredentialsCheck = (
  authorization: string | undefined,
  client?: string,
) => Promise<CredentialsVerdict>;

const CACHE_LIMIT = 64;

export interface CredentialsCheckOptions {
  /** Hash checks computed at once; each scrypt check holds about 32 MiB (ln=15) while it runs. */
  readonly concurrentHashChecks?: number;
  /** Hash checks allowed to wait; beyond that a request is answered busy without one. */
  readonly queuedHashChecks?: number;
  /** Hash checks one client may have waiting; its further ones are answered busy. */
  readonly queuedHashChecksPerClient?: number;
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

/**
 * A checker for the configured credentials; its cache and queue live in the checker.
 *
 * Under a flood of guesses: credentials verified once are answered from the cache and never wait;
 * identical credentials in flight share one hash check; and hash checks take turns per client, so
 * guesses from one address delay another address's first check by a few checks at most. What a
 * guesser can still do: fill the whole queue from many addresses (others then get 503 until it
 * drains, never 401), and slow its own address's requests down.
 */
export function createCredentialsCheck(
  auth: WebBasicAuth,
  options: CredentialsCheckOptions = {},
): CredentialsCheck {
  const hash = auth.passwordHash === null ? null : parsePasswordHash(auth.passwordHash);
  const verified = new Set<string>();
  const inFlight = new Map<string, Promise<boolean>>();
  const queue = createFairQueue({
    concurrency: options.concurrentHashChecks ?? 2,
    maxQueued: options.queuedHashChecks ?? 64,
    maxQueuedPerClient: options.queuedHashChecksPerClient ?? 4,
  });
  const verify = options.verify ?? verifyPassword;
  return async (authorization, client = "") => {
    const given = parseBasicAuthorization(authorization);
    if (given === null) return "denied";
    const userOk = safeEqual(given.username, auth.username);
    if (auth.password !== null) {
      const passwordOk = safeEqual(given.password, auth.password);
      return userOk && passwordOk ? "ok" : "denied";
    }
    if (hash === null) return "denied";
    const key = digest(`${given.username}\u0000${given.password}`).toString("hex");
    if (verified.has(key)) return userOk ? "ok" : "denied";
    let check = inFlight.get(key);
    if (check === undefined) {
      const queued = queue.run(client, () => verify(given.password, hash));
      if (queued === null) return "busy";
      check = queued.finally(() => inFlight.delete(key));
      inFlight.set(key, check);
    }
    const passwordOk = await check;
    if (userOk && passwordOk) {
      if (verified.size >= CACHE_LIMIT) verified.clear();
      verified.add(key);
      return "ok";
    }
    return "denied";
  };
}
