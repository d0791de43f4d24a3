// Reads Prometheus/Loki rule files (groups → rules) into typed values for the ops tests.
import { asArray, asRecord, asString, readRepoYaml } from "./ops-repo.ts";

export interface Rule {
  readonly file: string;
  readonly group: string;
  readonly alert: string | undefined;
  readonly record: string | undefined;
  readonly expr: string;
  readonly for: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  const record = asRecord(value, where);
  return Object.fromEntries(
    Object.entries(record).map(([k, v]) => [k, asString(v, `${where}.${k}`)]),
  );
}

/** Every rule of a repository rule file, in order. */
export function readRules(file: string): Rule[] {
  const root = asRecord(readRepoYaml(file), file);
  const rules: Rule[] = [];
  asArray(root.groups, `${file}: groups`).forEach((g, gi) => {
    const group = asRecord(g, `${file}: groups[${gi}]`);
    const groupName = asString(group.name, `${file}: groups[${gi}].name`);
    asArray(group.rules, `${file}: groups[${gi}].rules`).forEach((r, ri) => {
      const where = `${file}: ${groupName}.rules[${ri}]`;
      const rule = asRecord(r, where);
      rules.push({
        file,
        group: groupName,
        alert: rule.alert === undefined ? undefined : asString(rule.alert, `${where}.alert`),
        record: rule.record === undefined ? undefined : asString(rule.record, `${where}.record`),
        expr: asString(rule.expr, `${where}.expr`),
        for: rule.for === undefined ? undefined : asString(rule.for, `${where}.for`),
        labels: stringMap(rule.labels, `${where}.labels`),
        annotations: stringMap(rule.annotations, `${where}.annotations`),
      });
    });
  });
  return rules;
}

/** Markdown heading anchors as GitHub renders them (lower case, spaces to dashes, punctuation dropped). */
export function markdownAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const line of markdown.split("\n")) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading?.[1]) continue;
    anchors.add(
      heading[1]
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .trim()
        .replace(/\s/g, "-"),
    );
  }
  return anchors;
}
