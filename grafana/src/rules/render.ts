// Rule files and promtool test files as the exact YAML text that is committed.
import { parseDocument, stringify } from "yaml";
import { type MixinConfig, runbookUrl } from "../mixin-config.ts";
import type { RuleFile } from "./rule-model.ts";

export function renderRuleFile(file: RuleFile): string {
  const header = file.header.map((line) => `# ${line}`.trimEnd()).join("\n");
  return `${header}\n${stringify({ groups: file.groups }, { lineWidth: 0 })}`;
}

/**
 * A promtool test file with its generated parts replaced: the rule files, the group evaluation
 * order (recording groups first) and every expected runbook_url. Cases and comments stay.
 */
export function renderPromtoolTest(
  text: string,
  options: {
    readonly ruleFiles: readonly string[];
    readonly groupOrder: readonly string[];
    readonly config: MixinConfig;
  },
): string {
  const doc = parseDocument(text);
  doc.set("rule_files", doc.createNode([...options.ruleFiles]));
  doc.set("group_eval_order", doc.createNode([...options.groupOrder]));
  const tests = doc.toJS() as {
    tests?: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
  };
  (tests.tests ?? []).forEach((t, ti) => {
    (t.alert_rule_test ?? []).forEach((c, ci) => {
      (c.exp_alerts ?? []).forEach((_, ai) => {
        const path = [
          "tests",
          ti,
          "alert_rule_test",
          ci,
          "exp_alerts",
          ai,
          "exp_annotations",
          "runbook_url",
        ];
        if (doc.hasIn(path)) doc.setIn(path, runbookUrl(options.config, c.alertname));
      });
    });
  });
  return doc.toString({ lineWidth: 0 });
}
