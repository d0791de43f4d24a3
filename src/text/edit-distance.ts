// Pure: the Levenshtein distance of two strings, for "did you mean …" hints on names people type.

/** Insertions, deletions and substitutions from `a` to `b`; letter case counts unless `ignoreCase`. */
export function editDistance(a: string, b: string, ignoreCase = false): number {
  const x = ignoreCase ? a.toLowerCase() : a;
  const y = ignoreCase ? b.toLowerCase() : b;
  const row = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const current = row[j] ?? 0;
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + cost);
      previous = current;
    }
  }
  return row[y.length] ?? 0;
}
