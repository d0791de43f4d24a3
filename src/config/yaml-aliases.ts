// YAML aliases (*name) the configuration cannot use: one without an anchor (&name) before it, and
// one inside the very value it names (a loop), each with the line it is on.
import { type Document, isAlias, type LineCounter, visit } from "yaml";

export interface AliasProblem {
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

/** Problems with the document's aliases, in the order they appear. */
export function aliasProblems(doc: Document, lines: LineCounter): AliasProblem[] {
  const problems: AliasProblem[] = [];
  visit(doc, {
    Alias(_, alias) {
      if (!isAlias(alias)) return;
      const at = lines.linePos(alias.range?.[0] ?? 0);
      const target = alias.resolve(doc);
      if (target === undefined) {
        problems.push({
          ...at,
          message: `the alias *${alias.source} names no anchor; set &${alias.source} on a value above it, or write the value out`,
        });
        return;
      }
      const [start, , end] = target.range ?? [0, 0, 0];
      const offset = alias.range?.[0] ?? -1;
      if (start <= offset && offset < end) {
        problems.push({
          ...at,
          message: `the alias *${alias.source} is inside the value &${alias.source} names, which would contain itself for ever; write the value out instead`,
        });
      }
    },
  });
  return problems;
}
