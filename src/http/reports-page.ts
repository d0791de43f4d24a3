// The /reports page: each organization the user may see with links to its report of last month
// and this month (HTML, PDF, JSON), and a form for any other period (sent by its button only: a
// report reads VBO for a while). Every value escaped.
import type { ReportTarget } from "../report/report-service.ts";
import { escapeHtml } from "./html.ts";
import { cardLabels, cardTable, renderPage } from "./page-shell.ts";

export interface ReportsPageView {
  readonly version: string;
  readonly now: number;
  readonly targets: readonly ReportTarget[];
  /** Servers that did not list their organizations (shown to the provider only). */
  readonly unanswered: readonly string[];
  /** A tenant user: no server names of the provider's troubles, their own organizations only. */
  readonly restricted: boolean;
  readonly notice?: string | undefined;
  /** Whether PDF is offered (Chromium is installed). */
  readonly pdf: boolean;
}

const COLUMNS = ["Organization", "Server", "Last month", "This month"] as const;
const FORMATS = ["html", "pdf", "json"] as const;

/** YYYY-MM of the month `offset` months from the one holding nowMs (UTC). */
export function monthOf(nowMs: number, offset: number): string {
  const now = new Date(nowMs);
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  return d.toISOString().slice(0, 7);
}

export function reportHref(
  target: ReportTarget,
  period: Readonly<Record<string, string>>,
  format: string,
): string {
  const query = new URLSearchParams({
    server: target.server,
    organization: target.organization,
    ...period,
    format,
  });
  return `reports/report?${query.toString()}`;
}

function links(target: ReportTarget, month: string, formats: readonly string[]): string {
  return formats
    .map((f) => `<a href="${escapeHtml(reportHref(target, { month }, f))}">${f.toUpperCase()}</a>`)
    .join(" · ");
}

function options(values: readonly string[]): string {
  return values.map((v) => `<option>${escapeHtml(v)}</option>`).join("");
}

export function renderReportsPage(view: ReportsPageView): string {
  const last = monthOf(view.now, -1);
  const current = monthOf(view.now, 0);
  const formats = FORMATS.filter((f) => f !== "pdf" || view.pdf);
  const rows = view.targets.map(
    (t) =>
      `<tr><td class="w">${escapeHtml(t.organization)}</td><td>${escapeHtml(t.server)}</td><td class="n">${links(t, last, formats)}</td><td class="n">${links(t, current, formats)}</td></tr>`,
  );
  const missing =
    view.unanswered.length === 0
      ? ""
      : view.restricted
        ? `<p class="warn">A VBO server did not answer just now: some of your organizations may be missing. Reload in a minute.</p>`
        : `<p class="warn">Did not list their organizations just now: ${view.unanswered.map(escapeHtml).join(", ")}. Their reports can still be asked for with the form.</p>`;
  const servers = [...new Set(view.targets.map((t) => t.server))];
  const organizations = [...new Set(view.targets.map((t) => t.organization))].sort();
  const lastStart = `${last}-01`;
  const currentStart = `${current}-01`;
  const form =
    organizations.length === 0
      ? ""
      : `<h2>Another period</h2>
<form class="filters" method="get" action="reports/report" data-on-button>
${servers.length === 1 ? `<input type="hidden" name="server" value="${escapeHtml(servers[0])}">` : `<label>Server<select name="server">${options(servers)}</select></label>`}
<label>Organization<select name="organization">${options(organizations)}</select></label>
<label>From (UTC)<input type="date" name="from" value="${lastStart}" required></label>
<label>To, exclusive (UTC)<input type="date" name="to" value="${currentStart}" required></label>
<label>Format<select name="format">${options(formats)}</select></label>
<button type="submit">Make the report</button>
</form>`;
  const table =
    rows.length === 0
      ? `<p>${view.restricted ? "None of your organizations is on a VBO server of this exporter now." : "No VBO server of this exporter lists an organization now."}</p>`
      : cardTable("reports", COLUMNS, rows);
  return renderPage({
    title: "Restore reports",
    version: view.version,
    refreshSeconds: null,
    notice: view.notice,
    style: cardLabels("reports", COLUMNS),
    body: `<h2>Restore reports</h2>
<p class="summary">Each report is read from VBO when it is opened, so it is exact whatever Prometheus and Loki keep: sessions by restore type, result and client host, who started them, every item with its size, watched data accessed, failures, the busiest days and every session. A month of a busy organization takes a while to read. Times are UTC; a period is [from, to).</p>
${missing}${table}${form}`,
  });
}
