// Parses LogQL with Grafana's Lezer grammar and lists the stream labels and fields a query uses.

import { parser } from "@grafana/lezer-logql";
import type { SyntaxNode } from "@lezer/common";
import { lokiFieldNames, lokiIndexLabels } from "./ops-contract.ts";

export interface LogqlAnalysis {
  readonly errors: readonly string[];
  /** Labels in the stream selector `{...}`: must be index labels. */
  readonly streamLabels: readonly string[];
  /** Labels and structured metadata read by filters, unwrap, label_format sources and templates. */
  readonly fieldRefs: readonly string[];
  /** Labels created by label_format. */
  readonly createdLabels: readonly string[];
  /** Labels named in by/without clauses. */
  readonly groupingLabels: readonly string[];
  /** True when the query has a metric part with a range. */
  readonly hasRange: boolean;
}

/** Grafana's interval variables replaced by LogQL durations so the text parses. */
export function substituteLogqlVariables(expr: string): string {
  return expr
    .replace(/\$\{?__auto\}?/g, "1m")
    .replace(/\$\{?__rate_interval\}?/g, "1m")
    .replace(/\$\{?__interval\}?/g, "1m")
    .replace(/\$\{?__range\}?/g, "1d");
}

const CONTEXTS = new Set([
  "Selector",
  "Grouping",
  "LabelFormatMatcher",
  "LabelFilter",
  "UnwrapExpr",
]);

function context(node: SyntaxNode): SyntaxNode | null {
  for (let n = node.parent; n; n = n.parent) if (CONTEXTS.has(n.name)) return n;
  return null;
}

function templateFields(template: string): string[] {
  return [...template.matchAll(/\{\{[^}]*?\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? "");
}

export function analyseLogql(rawExpr: string): LogqlAnalysis {
  const source = substituteLogqlVariables(rawExpr);
  const tree = parser.parse(source);
  const errors: string[] = [];
  const streamLabels: string[] = [];
  const fieldRefs: string[] = [];
  const createdLabels: string[] = [];
  const groupingLabels: string[] = [];
  let hasRange = false;
  tree.iterate({
    enter(ref) {
      const node = ref.node;
      const value = source.slice(ref.from, ref.to);
      if (ref.type.isError) {
        errors.push(
          `syntax error at ${ref.from}: ${JSON.stringify(source.slice(Math.max(0, ref.from - 20), ref.to + 20))}`,
        );
        return;
      }
      if (ref.name === "Range") hasRange = true;
      if (ref.name === "String") {
        const owner = context(node);
        if (owner?.name === "LabelFormatMatcher" || node.parent?.name === "LineFormatExpr") {
          fieldRefs.push(...templateFields(value));
        }
        return;
      }
      if (ref.name !== "Identifier") return;
      const owner = context(node);
      if (owner?.name === "Selector") streamLabels.push(value);
      else if (owner?.name === "Grouping") groupingLabels.push(value);
      else if (owner?.name === "LabelFormatMatcher") {
        if (owner.firstChild?.from === ref.from) createdLabels.push(value);
        else fieldRefs.push(value);
      } else fieldRefs.push(value);
    },
  });
  return { errors, streamLabels, fieldRefs, createdLabels, groupingLabels, hasRange };
}

/** Problems with a LogQL query against the record contract; empty when it is fine. */
export function checkLogql(expr: string): string[] {
  const analysis = analyseLogql(expr);
  const problems = [...analysis.errors];
  const index = lokiIndexLabels();
  const fields = lokiFieldNames();
  const created = new Set(analysis.createdLabels);
  if (analysis.streamLabels.length === 0 && analysis.errors.length === 0)
    problems.push("no stream selector");
  for (const label of analysis.streamLabels) {
    if (!index.has(label))
      problems.push(`stream selector uses ${JSON.stringify(label)}, which is not an index label`);
  }
  for (const field of analysis.fieldRefs) {
    if (!fields.has(field) && !created.has(field) && field !== "__error__") {
      problems.push(`unknown field ${JSON.stringify(field)}`);
    }
  }
  for (const label of analysis.groupingLabels) {
    if (!fields.has(label) && !created.has(label))
      problems.push(`grouping label ${JSON.stringify(label)} is not available`);
  }
  return problems;
}
