// Pure: which organization, user or group a name typed by a person means — exact matches first
// (id, UPN/mail, display name, without regard to letter case), and the nearest names when none
// matches, so a typo gets "did you mean" instead of a bare "not found".
import { editDistance } from "../text/edit-distance.ts";

export interface Candidate<T> {
  readonly value: T;
  /** What a person may type for it: id, UPN or mail, display name. */
  readonly keys: readonly (string | null)[];
  /** How it is shown in lists. */
  readonly label: string;
}

export type Resolution<T> =
  | { readonly kind: "found"; readonly value: T }
  | { readonly kind: "ambiguous"; readonly labels: readonly string[] }
  | { readonly kind: "unknown"; readonly nearest: readonly string[] };

/**
 * How many edits a typo may have and still be suggested: about one per four characters typed, at
 * least one, at most three, so a long name sharing a suffix (".onmicrosoft.com") with another is
 * not taken for a typo of it.
 */
export function typoBudget(typed: string): number {
  return Math.min(3, Math.max(1, Math.ceil(typed.length / 4)));
}

/** A part of a name (three characters or more) stands for the whole name. */
const MIN_PART = 3;

export function resolveName<T>(
  typed: string,
  candidates: readonly Candidate<T>[],
  nearestCount = 3,
): Resolution<T> {
  const wanted = typed.trim().toLowerCase();
  const exact = candidates.filter((c) =>
    c.keys.some((k) => k !== null && k.toLowerCase() === wanted),
  );
  if (exact.length === 1 && exact[0]) return { kind: "found", value: exact[0].value };
  if (exact.length > 1) return { kind: "ambiguous", labels: exact.map((c) => c.label) };
  const scored = candidates
    .map((c) => {
      let best = Number.POSITIVE_INFINITY;
      for (const key of c.keys) {
        if (key === null || key === "") continue;
        const k = key.toLowerCase();
        const part =
          Math.min(k.length, wanted.length) >= MIN_PART &&
          (k.includes(wanted) || wanted.includes(k));
        best = Math.min(best, part ? 0.5 : editDistance(wanted, k));
      }
      return { label: c.label, best };
    })
    .filter((s) => s.best <= typoBudget(wanted))
    .sort((a, b) => a.best - b.best || a.label.localeCompare(b.label));
  return { kind: "unknown", nearest: scored.slice(0, nearestCount).map((s) => s.label) };
}

/** One sentence for a name that resolved to none or several. */
export function describeUnresolved(
  what: string,
  typed: string,
  resolution: Exclude<Resolution<unknown>, { kind: "found" }>,
  where?: string,
): string {
  const scope = where === undefined ? "" : ` in ${where}`;
  if (resolution.kind === "ambiguous")
    return `"${typed}" matches ${resolution.labels.length} of the ${what}s${scope}: ${resolution.labels.join("; ")}; name one by its id or UPN`;
  return resolution.nearest.length === 0
    ? `no ${what} "${typed}"${scope}`
    : `no ${what} "${typed}"${scope}; did you mean ${resolution.nearest.join(" or ")}?`;
}
