// Rule files as typed values (Prometheus and Loki ruler share the format), and a selector builder
// that takes metric names from the catalogue and adds the mixin's job selector.
import type { MetricName } from "../../../src/metrics/catalogue.ts";

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: { readonly severity: "warning" | "critical"; readonly category: string };
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook_url: string;
  };
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly (AlertRule | RecordingRule)[];
}

export interface RuleFile {
  /** Comment lines written above the YAML (without "# "). */
  readonly header: readonly string[];
  readonly groups: readonly RuleGroup[];
}

/** `metric{job="...", matchers...}` for a catalogue metric (or a histogram's series of one). */
export function selector(
  job: string,
  metric: MetricName | `${MetricName}_${"bucket" | "sum" | "count"}` | "up",
  ...matchers: readonly string[]
): string {
  return `${metric}{${[job, ...matchers].join(", ")}}`;
}
