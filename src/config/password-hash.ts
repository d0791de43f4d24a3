// The scrypt password hash format for web basic auth (`$scrypt$ln=15,r=8,p=1$<salt>$<hash>`).
// scrypt comes with node:crypto, so no native bcrypt addon is needed.
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

export interface PasswordHash {
  /** log2 of the scrypt cost parameter N. */
  readonly ln: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

const FORMAT =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** The parts of a hash string, or null when it is not in the expected format. */
export function parsePasswordHash(text: string): PasswordHash | null {
  const match = FORMAT.exec(text.trim());
  if (!match) return null;
  const ln = Number(match[1]);
  const r = Number(match[2]);
  const p = Number(match[3]);
  const salt = Buffer.from(match[4] ?? "", "base64");
  const hash = Buffer.from(match[5] ?? "", "base64");
  if (ln < 10 || ln > 20 || r < 1 || p < 1 || salt.length < 8 || hash.length < 16) return null;
  return { ln, r, p, salt, hash };
}

function derive(password: string, parts: Omit<PasswordHash, "hash">, length: number) {
  return new Promise<Buffer>((resolve, reject) => {
    const N = 2 ** parts.ln;
    scrypt(
      password,
      parts.salt,
      length,
      { N, r: parts.r, p: parts.p, maxmem: 256 * N * parts.r + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** A new hash string for a password (what `web.basicAuth.passwordHash` expects). */
export async function hashPassword(password: string, ln = 15): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, { ln, r: 8, p: 1, salt }, 32);
  const b64 = (b: Buffer) => b.toString("base64").replace(/=+$/, "");
  return `$scrypt$ln=${ln},r=8,p=1$${b64(salt)}$${b64(hash)}`;
}

/** True when the password matches the hash (constant-time comparison of the derived keys). */
export async function verifyPassword(password: string, parsed: PasswordHash): Promise<boolean> {
  const derived = await derive(password, parsed, parsed.hash.length);
  return timingSafeEqual(derived, parsed.hash);
}
