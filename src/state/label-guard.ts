// The cardinality guard of the label values taken from VBO: per server and label, the first
// `limit` distinct values are admitted (kept in the state), every later one counts as `other`.
import type { DatabaseSync } from "node:sqlite";
import type { GuardedLabel, LabelLimits } from "../pipeline/labels.ts";

/** What stands for every value beyond the limit. */
export const OVERFLOW_VALUE = "other";

export interface LabelGuard {
  /** The value as a label: itself once admitted (admitting it while there is room), else `other`. */
  admit(label: GuardedLabel, value: string): string;
  /** Values counted as `other` in this batch, by label. */
  overflowed(): ReadonlyMap<GuardedLabel, number>;
}

export type LabelGuardFactory = (server: string, limits: LabelLimits) => LabelGuard;

/** One guard per batch (inside its transaction); statements prepared once. */
export function labelGuards(db: DatabaseSync): LabelGuardFactory {
  const known = db.prepare(
    "SELECT 1 AS ok FROM label_values WHERE server = ? AND label = ? AND value = ?",
  );
  const count = db.prepare("SELECT count(*) AS n FROM label_values WHERE server = ? AND label = ?");
  const add = db.prepare("INSERT INTO label_values (server, label, value) VALUES (?, ?, ?)");
  return (server, limits) => {
    const decided = new Map<string, string>();
    const counts = new Map<GuardedLabel, number>();
    const overflowed = new Map<GuardedLabel, number>();
    return {
      admit(label, value) {
        const key = `${label}\u0000${value}`;
        let out = decided.get(key);
        if (out === undefined) {
          if (known.get(server, label, value) !== undefined) out = value;
          else {
            const n = counts.get(label) ?? Number((count.get(server, label) as { n: number }).n);
            if (n < limits[label]) {
              add.run(server, label, value);
              counts.set(label, n + 1);
              out = value;
            } else out = OVERFLOW_VALUE;
          }
          decided.set(key, out);
        }
        if (out === OVERFLOW_VALUE && value !== OVERFLOW_VALUE)
          overflowed.set(label, (overflowed.get(label) ?? 0) + 1);
        return out;
      },
      overflowed: () => overflowed,
    };
  };
}
