// Removes configured secrets from text that came from the other side of a wire (a VBO server or an
// OTLP receiver may echo what it was sent) before that text reaches a log, the state or an output.
import type { ExporterConfig } from "../config/types.ts";

/** What a secret becomes in scrubbed text. */
export const REDACTED = "[redacted]";

/**
 * Secrets this short are replaced only where they stand alone (not inside a longer run of letters
 * and digits): replacing every "ab" would blank out readable words, while a secret that short is
 * found by guessing anyway. Longer secrets are replaced wherever they occur.
 */
export const SHORT_SECRET_LENGTH = 4;

/** A secret and the forms it takes on the wire and in an echo. */
function forms(secret: string): string[] {
  const out = [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
  return out.filter((form, i) => form !== "" && out.indexOf(form) === i);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Text with every secret (and its JSON- and URL-escaped forms) replaced by [redacted]. */
export function scrub(text: string, secrets: readonly string[]): string {
  if (text === "") return text;
  const all = [...new Set(secrets.flatMap((s) => (s === "" ? [] : forms(s))))];
  // Longest first, so a secret containing another one is removed whole.
  all.sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of all) {
    if (secret.length >= SHORT_SECRET_LENGTH) {
      out = out.split(secret).join(REDACTED);
    } else {
      out = out.replace(
        new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(secret)}(?![\\p{L}\\p{N}])`, "gu"),
        REDACTED,
      );
    }
  }
  return out;
}

/** The header value HTTP basic auth sends for these credentials (what a receiver may echo). */
export function basicCredentials(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, "utf8").toString("base64");
}

/**
 * Every secret of the resolved configuration: VBO passwords, OTLP header values, OTLP basic-auth
 * password (and the base64 credentials it becomes), OTLP bearer token, the web basic-auth password.
 * VBO tokens change while running; the VBO client adds its current ones to this set itself.
 */
export function configSecrets(config: ExporterConfig): string[] {
  const out: string[] = [];
  for (const server of config.servers) {
    out.push(server.password, basicCredentials(server.username, server.password));
  }
  const otlp = config.logs.otlp;
  for (const value of Object.values(otlp.headers)) {
    out.push(value);
    // "Bearer abc", "Basic dXNlcjpw": a receiver may echo the credentials without the scheme.
    const credentials = /^[A-Za-z][\w-]*\s+(\S.*)$/.exec(value)?.[1];
    if (credentials !== undefined) out.push(credentials);
  }
  if (otlp.basicAuth !== null) {
    out.push(
      otlp.basicAuth.password,
      basicCredentials(otlp.basicAuth.username, otlp.basicAuth.password),
    );
  }
  if (otlp.bearerToken !== null) out.push(otlp.bearerToken);
  const web = config.web.basicAuth;
  if (web?.password) out.push(web.password, basicCredentials(web.username, web.password));
  return [...new Set(out.filter((s) => s !== ""))];
}

/** A scrubber over a fixed secret set plus, optionally, secrets that change (current tokens). */
export function createScrubber(
  secrets: readonly string[],
  current: () => readonly string[] = () => [],
): (text: string) => string {
  return (text) => scrub(text, [...secrets, ...current()]);
}
