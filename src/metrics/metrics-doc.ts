// docs/metrics.md, rendered from a registry that holds every metric the exporter registers.
import type { Registry } from "prom-client";

interface Described {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
}

export async function renderMetricsDoc(registry: Registry): Promise<string> {
  const types = new Map((await registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]));
  const rows = (registry.getMetricsAsArray() as unknown as Described[])
    .filter((m) => m.name.startsWith("vbo_"))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((m) => {
      const labels = (m.labelNames ?? []).map((l) => `\`${l}\``).join(", ");
      return `| \`${m.name}\` | ${types.get(m.name) ?? ""} | ${labels} | ${m.help.replaceAll("|", "\\|")} |`;
    });
  return [
    "# Metrics",
    "",
    "Generated from the exporter's registry by `npm run docs:metrics`; a test fails when this file is out of date.",
    "Besides these, the default Node.js process metrics (`process_*`, `nodejs_*`) are exported.",
    "",
    'Restore series are labelled with `server`, `organization` (the name as VBO sends it), `restore_type` (`exchange`, `onedrive`, `sharepoint`, `teams`, or the raw value lower-cased) and `client_host` (the machine name before ` (via: …)`, `unknown` when missing). With `dropClientHostLabel: true` every `client_host` is `""`; beyond `clientHostLimit` distinct hosts per server, new hosts count as `client_host="other"`. `event_type`, `status` and `result` are VBO\'s raw values lower-cased.',
    "",
    "| Metric | Type | Labels | Help |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}
