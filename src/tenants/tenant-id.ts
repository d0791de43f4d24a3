// Loki tenant ids (sent as X-Scope-OrgID) derived from organization names: stable, header-safe, and
// within Loki's rules (at most 150 characters, no '|' which separates tenants in a query, never '.'
// or '..').
import { createHash } from "node:crypto";

/** Characters a derived tenant id keeps; everything else becomes '_'. */
const KEPT = /[^a-z0-9_.-]+/g;
const MAX_SLUG = 100;

/** Whether `text` is a tenant id as this exporter writes them (and Loki accepts them). */
export function isTenantId(text: string): boolean {
  return /^[a-z0-9_.-]{1,150}$/.test(text) && text !== "." && text !== "..";
}

/** The first 8 hex digits of the SHA-256 of the text as written (UTF-8). */
export function shortHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 8);
}

/**
 * The tenant id of an organization name: the name lower-cased, every run of characters outside
 * [a-z0-9_.-] replaced by '_', cut to 100 characters; when that changed the name in any way, the
 * '_' at either end are dropped ("org" when nothing is left) and '-' and the short hash of the
 * name as written follow, so that "Contoso" and "contoso" stay apart.
 * "contoso" → "contoso"; "Contoso Ltd" → "contoso_ltd-" + 8 hex digits.
 */
export function deriveTenantId(name: string): string {
  const slug = name.toLowerCase().replace(KEPT, "_").slice(0, MAX_SLUG);
  if (slug === name && isTenantId(slug)) return slug;
  const trimmed = slug.replace(/^_+|_+$/g, "");
  const base = trimmed === "" || trimmed === "." || trimmed === ".." ? "org" : trimmed;
  return `${base}-${shortHash(name)}`;
}
