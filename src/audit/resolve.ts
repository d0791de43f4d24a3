// Pure: which organization, user or group a name typed by a person means — exact matches first
// (id, UPN/mail, display name, without regard to letter case), and the nearest names when none
// matches, so a typo gets "did you mean" instead of a bare "not found".

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

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + cost);
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

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
        const d = k.includes(wanted) || wanted.includes(k) ? 0.5 : distance(wanted, k);
        best = Math.min(best, d);
      }
      return { label: c.label, best };
    })
    .filter((s) => s.best <= Math.max(2, Math.floor(wanted.length / 3)))
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
