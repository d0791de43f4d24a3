// Parses PromQL with the Prometheus project's Lezer grammar and lists what an expression uses.
import type { SyntaxNode } from "@lezer/common";
import { parser } from "@prometheus-io/lezer-promql";

export interface SelectorUse {
  readonly metric: string;
  readonly matcherLabels: readonly string[];
  /** The function whose argument the selector's range is (rate, increase, ...), if any. */
  readonly rangeFunction: string | undefined;
  /** True when the selector sits directly under a `[range]`. */
  readonly ranged: boolean;
  /** The range as written: a duration or a Grafana variable such as `$__rate_interval`. */
  readonly range: string | undefined;
}

export interface PromqlAnalysis {
  readonly errors: readonly string[];
  readonly selectors: readonly SelectorUse[];
  /** Labels named in by/without/on/ignoring/group_left/group_right clauses. */
  readonly groupingLabels: readonly string[];
  /** Labels created by label_replace/label_join. */
  readonly createdLabels: readonly string[];
  /** True when the raw expression uses Grafana's $__rate_interval. */
  readonly usesRateInterval: boolean;
}

// Grafana's interval variables become distinct, unlikely durations so the text parses and each
// range can still be traced back to the variable it was written with.
const VARIABLE_DURATIONS: ReadonlyArray<readonly [RegExp, string, string]> = [
  [/\$\{?__rate_interval\}?/g, "1001s", "$__rate_interval"],
  [/\$\{?__interval\}?/g, "1002s", "$__interval"],
  // A number of seconds, not a duration: replaced before $__range, whose name it starts with.
  [/\$\{?__range_s\}?/g, "1003", "$__range_s"],
  [/\$\{?__range\}?/g, "1003s", "$__range"],
];

/** Grafana's built-in interval variables replaced by PromQL durations so the text parses. */
export function substituteGrafanaVariables(expr: string): string {
  return VARIABLE_DURATIONS.reduce(
    (text, [pattern, duration]) => text.replace(pattern, duration),
    expr,
  );
}

function originalRange(duration: string): string {
  return VARIABLE_DURATIONS.find(([, d]) => d === duration)?.[2] ?? duration;
}

function text(source: string, node: SyntaxNode): string {
  return source.slice(node.from, node.to);
}

function rangeFunctionOf(
  selector: SyntaxNode,
  source: string,
): { ranged: boolean; fn: string | undefined; range: string | undefined } {
  let node = selector.parent;
  if (node?.name !== "MatrixSelector") return { ranged: false, fn: undefined, range: undefined };
  const duration = node.getChild("DurationExpr");
  const range = duration ? originalRange(text(source, duration)) : undefined;
  node = node.parent;
  while (
    node &&
    (node.name === "OffsetExpr" || node.name === "ParenExpr" || node.name === "StepInvariantExpr")
  ) {
    node = node.parent;
  }
  if (node?.name !== "FunctionCallBody") return { ranged: true, fn: undefined, range };
  const call = node.parent;
  const identifier = call?.getChild("FunctionIdentifier");
  return { ranged: true, fn: identifier ? text(source, identifier) : undefined, range };
}

function stringValue(literal: string): string {
  return literal.slice(1, -1);
}

export function analysePromql(rawExpr: string): PromqlAnalysis {
  const source = substituteGrafanaVariables(rawExpr);
  const tree = parser.parse(source);
  const errors: string[] = [];
  const selectors: SelectorUse[] = [];
  const groupingLabels: string[] = [];
  const createdLabels: string[] = [];
  tree.iterate({
    enter(ref) {
      const node = ref.node;
      if (ref.type.isError) {
        errors.push(
          `syntax error at ${ref.from}: ${JSON.stringify(source.slice(Math.max(0, ref.from - 20), ref.to + 20))}`,
        );
        return;
      }
      if (ref.name === "VectorSelector") {
        const identifier = node.getChild("Identifier");
        const matchers = node.getChild("LabelMatchers");
        const labels: string[] = [];
        let metric = identifier ? text(source, identifier) : "";
        for (const matcher of matchers?.getChildren("UnquotedLabelMatcher") ?? []) {
          const name = matcher.getChild("LabelName");
          if (!name) continue;
          const labelName = text(source, name);
          const value = matcher.getChild("StringLiteral");
          if (labelName === "__name__" && value) metric = stringValue(text(source, value));
          else labels.push(labelName);
        }
        const { ranged, fn, range } = rangeFunctionOf(node, source);
        selectors.push({ metric, matcherLabels: labels, rangeFunction: fn, ranged, range });
      }
      if (ref.name === "GroupingLabels") {
        for (const label of node.getChildren("LabelName")) groupingLabels.push(text(source, label));
      }
      if (ref.name === "FunctionCall") {
        const identifier = node.getChild("FunctionIdentifier");
        const name = identifier ? text(source, identifier) : "";
        if (name === "label_replace" || name === "label_join") {
          const body = node.getChild("FunctionCallBody");
          const first = body?.getChildren("StringLiteral")[0];
          if (first) createdLabels.push(stringValue(text(source, first)));
        }
      }
    },
  });
  if (tree.topNode.firstChild === null && source.trim() !== "") errors.push("empty parse tree");
  return {
    errors,
    selectors,
    groupingLabels,
    createdLabels,
    usesRateInterval: /\$\{?__rate_interval\}?/.test(rawExpr),
  };
}
