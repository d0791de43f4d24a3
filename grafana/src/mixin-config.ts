// The one configuration the dashboards, the Prometheus and Loki rules and the promtool test
// headers are generated from (npm run mixin): edit it, regenerate, commit both.

export interface MixinConfig {
  /** Selects the exporter's scrape job in every rule; the job_name of prometheus/prometheus.yml. */
  readonly jobSelector: string;
  /** The event_type values that count as restored items (views and lifecycle entries do not). */
  readonly restoredItemEventTypes: readonly string[];
  /** Business hours in UTC, Monday to Friday: a session started before `startHour` or at/after `endHour` is outside. */
  readonly businessHours: { readonly startHourUtc: number; readonly endHourUtc: number };
  /** A restore from a client host with no session in this many days before is "new". */
  readonly newClientHostDays: number;
  /** How far back a failed session still raises VboRestoreSessionFailed. */
  readonly failedSessionWindow: string;
  /** Unusual volume: the last hour above `factor` times the 7-day hourly average and above a floor. */
  readonly volume: {
    readonly factor: number;
    readonly itemsFloor: number;
    readonly bytesFloor: number;
  };
  /** Bulk export (Loki): more than this many items exported or sent by one client host in 10 minutes. */
  readonly bulkExportItems: number;
  /** Where docs/runbook.md is published; `{anchor}` becomes the alert name in lower case. */
  readonly runbookUrl: string;
  /** The provisioned datasource uids the dashboards' datasource variables default to. */
  readonly datasources: { readonly prometheus: string; readonly loki: string };
}

export const MIXIN: MixinConfig = {
  jobSelector: 'job="vbo-restore-exporter"',
  restoredItemEventTypes: ["save", "export", "send", "restore"],
  businessHours: { startHourUtc: 7, endHourUtc: 19 },
  newClientHostDays: 7,
  failedSessionWindow: "15m",
  volume: { factor: 3, itemsFloor: 100, bytesFloor: 1_073_741_824 },
  bulkExportItems: 50,
  runbookUrl: "https://runbooks.example.internal/vbo-restore-exporter/docs/runbook.md#{anchor}",
  datasources: { prometheus: "prometheus", loki: "loki" },
};

/** The problems of a configuration the generator cannot use, each a sentence; empty when usable. */
export function mixinConfigProblems(config: MixinConfig): string[] {
  const problems: string[] = [];
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*(=|!=|=~|!~)"[^"]*"$/.test(config.jobSelector))
    problems.push(
      `jobSelector ${JSON.stringify(config.jobSelector)} is not one PromQL label matcher such as job="vbo-restore-exporter".`,
    );
  if (config.restoredItemEventTypes.length === 0)
    problems.push(
      "restoredItemEventTypes is empty: name at least one event type that counts as a restored item (save, export, send, restore).",
    );
  for (const t of config.restoredItemEventTypes)
    if (!/^[a-z_]+$/.test(t))
      problems.push(
        `restoredItemEventTypes has ${JSON.stringify(t)}: event types are VBO's values in lower case (save, export, send, restore).`,
      );
  const { startHourUtc: start, endHourUtc: end } = config.businessHours;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > 24 || start >= end)
    problems.push(
      `businessHours ${start}-${end} is out of range: use whole UTC hours with 0 <= startHourUtc < endHourUtc <= 24.`,
    );
  if (!Number.isInteger(config.newClientHostDays) || config.newClientHostDays < 1)
    problems.push("newClientHostDays must be a whole number of days, at least 1.");
  if (!/^\d+[smh]$/.test(config.failedSessionWindow))
    problems.push(
      `failedSessionWindow ${JSON.stringify(config.failedSessionWindow)} is not a duration like 15m.`,
    );
  if (!(config.volume.factor > 1)) problems.push("volume.factor must be above 1.");
  if (!(config.volume.itemsFloor >= 0 && config.volume.bytesFloor >= 0))
    problems.push("volume floors must not be negative.");
  if (!/^https?:\/\/[^/]+\/.*\{anchor\}/.test(config.runbookUrl))
    problems.push(
      `runbookUrl ${JSON.stringify(config.runbookUrl)} must be an absolute http(s) URL containing {anchor}.`,
    );
  return problems;
}

/** Throws one error listing every problem, when there are any. */
export function checkedMixinConfig(config: MixinConfig): MixinConfig {
  const problems = mixinConfigProblems(config);
  if (problems.length > 0)
    throw new Error(`the mixin configuration cannot be used: ${problems.join(" ")}`);
  return config;
}

/** The event-type matcher for restored items, e.g. event_type=~"save|export|send|restore". */
export function restoredItemsMatcher(config: MixinConfig): string {
  return `event_type=~"${config.restoredItemEventTypes.join("|")}"`;
}

/** The same set for the audit log, whose vbo_event_type is VBO's own spelling (Save, Export, ...). */
export function restoredItemsLogRegex(config: MixinConfig): string {
  return config.restoredItemEventTypes.map((t) => t.charAt(0).toUpperCase() + t.slice(1)).join("|");
}

export function runbookUrl(config: MixinConfig, alert: string): string {
  return config.runbookUrl.replace("{anchor}", alert.toLowerCase());
}
