// YAML syntax errors as sentences a person can act on, each naming the line that needs the fix.
import type { YAMLError } from "yaml";

export interface LocatedProblem {
  /** 1-based line in the file; 0 when the problem has no place in it. */
  readonly line: number;
  readonly message: string;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** The first line after `from` (1-based) indented deeper than `from` itself, or null. */
function deeperLineAfter(lines: readonly string[], from: number): number | null {
  const base = indentOf(lines[from - 1] ?? "");
  for (let n = from + 1; n <= lines.length; n++) {
    const text = lines[n - 1] ?? "";
    if (text.trim() === "" || text.trimStart().startsWith("#")) continue;
    return indentOf(text) > base ? n : null;
  }
  return null;
}

/** The library's message without its position suffix (the caller names the place). */
export function libraryWords(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "").trim();
}

/**
 * One sentence per YAML error (errors of one line merged). The library reports a key indented
 * deeper than its siblings at the line above it, where its value seems to continue: that case
 * names the over-indented line instead.
 */
export function describeYamlErrors(text: string, errors: readonly YAMLError[]): LocatedProblem[] {
  const lines = text.split(/\r?\n/);
  const byLine = new Map<number, LocatedProblem>();
  for (const error of errors) {
    const pos = error.linePos?.[0];
    const line = pos?.line ?? 0;
    const column = pos?.col ?? 0;
    let problem: LocatedProblem;
    switch (error.code) {
      case "BLOCK_AS_IMPLICIT_KEY":
      case "MULTILINE_IMPLICIT_KEY": {
        const deeper = deeperLineAfter(lines, line);
        problem =
          deeper === null
            ? {
                line,
                message: `line ${line}, column ${column}: a key here spans more than one line; put each key on its own line`,
              }
            : {
                line: deeper,
                message: `line ${deeper}: this line is indented deeper than line ${line} above it; keys of one mapping must start in the same column`,
              };
        break;
      }
      case "BAD_INDENT":
        problem = {
          line,
          message: `line ${line}: this key is not in the same column as the keys before it; indent it like its siblings (with spaces)`,
        };
        break;
      case "TAB_AS_INDENT":
        problem = {
          line,
          message: `line ${line}: a tab indents this line; YAML indentation must be spaces`,
        };
        break;
      default:
        problem = {
          line,
          message:
            line === 0
              ? libraryWords(error.message)
              : `line ${line}, column ${column}: ${libraryWords(error.message)}`,
        };
    }
    if (!byLine.has(problem.line)) byLine.set(problem.line, problem);
  }
  return [...byLine.values()].sort((a, b) => a.line - b.line);
}
