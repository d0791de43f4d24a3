// GET /reports (the list of reports a user may open) and GET /reports/report (one organization's
// report of a period as HTML, PDF or JSON), read from VBO through the injected ReportService. A
// tenant user reaches only their organizations; any other answers the same 404 whether it exists
// or not.
import type { Context } from "koa";
import { describeError, toReason } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { parsePeriod } from "../report/period.ts";
import { PAPER_SIZES, renderReportHtml } from "../report/report-html.ts";
import type { ReportService } from "../report/report-service.ts";
import type { RestoreReport } from "../report/restore-report.ts";
import type { AccessScope } from "./access.ts";
import { renderReportsPage } from "./reports-page.ts";
import { requestSignal } from "./request-signal.ts";

export const REPORTS_PATH = "/reports";
export const REPORT_PATH = "/reports/report";

export interface ReportsRouteDeps {
  readonly version: string;
  readonly now: () => number;
  readonly notice?: string | undefined;
  readonly reports?: ReportService | undefined;
  /** PDF bytes of a report page (headless Chromium); absent: PDF is not offered. */
  readonly printPdf?: ((html: string) => Promise<Buffer>) | undefined;
  /** Whether a PDF can be printed now (Chromium is installed); absent: when printPdf is given. */
  readonly printsPdf?: (() => boolean) | undefined;
  /** How long one report may take to read from VBO (default 10 min). */
  readonly reportTimeoutMs?: number | undefined;
  readonly logger?: Logger | undefined;
}

/** The longest period the web reads at once; the report command has no such limit. */
const MAX_DAYS = 366;
const NOT_YOURS = "no such organization among the organizations of your account";
const FORMATS = new Set(["html", "pdf", "json"]);

function param(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === "" ? undefined : text;
}

function plain(ctx: Context, status: number, text: string): void {
  ctx.status = status;
  ctx.type = "text/plain";
  ctx.body = `${text}\n`;
}

/** A file name for downloads: the organization and period, in characters every system takes. */
function fileName(report: RestoreReport, extension: string): string {
  const org = report.organization.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 60) || "organization";
  return `restore-report-${org}-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.${extension}`;
}

export async function serveReportsIndex(
  ctx: Context,
  deps: ReportsRouteDeps,
  scope: AccessScope,
): Promise<void> {
  if (deps.reports === undefined) {
    plain(ctx, 404, "this exporter serves no reports (it reads no VBO server)");
    return;
  }
  const { list, unanswered } = await deps.reports.organizations(requestSignal(ctx, 20_000));
  ctx.status = 200;
  ctx.type = "text/html; charset=utf-8";
  ctx.body = renderReportsPage({
    version: deps.version,
    now: deps.now(),
    targets: scope === null ? list : list.filter((t) => scope.has(t.organization)),
    unanswered,
    restricted: scope !== null,
    notice: deps.notice,
    pdf: deps.printPdf !== undefined && (deps.printsPdf?.() ?? true),
  });
}

export async function serveReport(
  ctx: Context,
  deps: ReportsRouteDeps,
  scope: AccessScope,
): Promise<void> {
  const service = deps.reports;
  if (service === undefined) {
    plain(ctx, 404, "this exporter serves no reports (it reads no VBO server)");
    return;
  }
  const format = param(ctx, "format") ?? "html";
  if (!FORMATS.has(format)) {
    plain(ctx, 400, "format: expected html, pdf or json");
    return;
  }
  const paperText = (param(ctx, "paper") ?? "A4").toLowerCase();
  const paper = PAPER_SIZES.find((p) => p.toLowerCase() === paperText);
  if (paper === undefined) {
    plain(ctx, 400, "paper: expected A4 or Letter");
    return;
  }
  const organization = param(ctx, "organization");
  if (organization === undefined) {
    plain(
      ctx,
      400,
      "a report needs ?organization=NAME and a period (month=YYYY-MM, or from= and to=); the reports page links to them",
    );
    return;
  }
  // A tenant user is told the same about another organization as about one that does not exist.
  if (scope !== null && !scope.has(organization)) {
    plain(ctx, 404, NOT_YOURS);
    return;
  }
  const server =
    param(ctx, "server") ?? (service.servers.length === 1 ? service.servers[0] : undefined);
  if (server === undefined) {
    plain(
      ctx,
      400,
      `a report needs ?server=NAME: this exporter reads ${service.servers.length} servers`,
    );
    return;
  }
  if (!service.servers.includes(server)) {
    plain(ctx, 404, scope === null ? `no VBO server named "${server}" is polled here` : NOT_YOURS);
    return;
  }
  const period = parsePeriod(
    { from: param(ctx, "from"), to: param(ctx, "to"), month: param(ctx, "month") },
    deps.now(),
    "",
  );
  if (!period.ok) {
    plain(ctx, 400, period.message);
    return;
  }
  if (period.toMs - period.fromMs > MAX_DAYS * 86_400_000) {
    plain(
      ctx,
      400,
      `a period of at most ${MAX_DAYS} days is read over the web; the report command reads longer ones`,
    );
    return;
  }
  if (format === "pdf" && deps.printPdf === undefined) {
    plain(ctx, 404, "this exporter does not print PDF reports; format=html is the same report");
    return;
  }
  const timeoutMs = deps.reportTimeoutMs ?? 600_000;
  const started = Date.now();
  let report: RestoreReport;
  const signal = requestSignal(ctx, timeoutMs);
  try {
    report = await service.report(
      { server, organization, fromMs: period.fromMs, toMs: period.toMs, mustExist: scope === null },
      signal,
    );
  } catch (error) {
    const reason = toReason(error);
    // The client words an abort as its own failure ("request aborted"): the deadline is the cause.
    const deadline = signal.reason instanceof DOMException && signal.reason.name === "TimeoutError";
    if (deadline) {
      plain(
        ctx,
        504,
        `VBO did not list the period's sessions within ${Math.round(timeoutMs / 1000)} s; ask for a shorter period or use the report command`,
      );
    } else if (reason === "busy") {
      ctx.set("Retry-After", "60");
      plain(ctx, 503, describeError(error));
    } else if (reason === "too_large") {
      plain(ctx, 400, describeError(error));
    } else if (reason === "not_found") {
      plain(ctx, 404, scope === null ? describeError(error) : NOT_YOURS);
    } else {
      deps.logger?.warn(
        { server, reason, err: describeError(error) },
        "a report could not be read from VBO",
      );
      // VBO's own words speak of the provider's server (and are not scoped): the provider's only.
      plain(
        ctx,
        502,
        scope === null
          ? `the report could not be read from VBO server "${server}": ${describeError(error)}`
          : "the report could not be read from VBO just now; try again later (the exporter's log says why)",
      );
    }
    return;
  }
  deps.logger?.info(
    {
      server,
      organization,
      from: report.from,
      to: report.to,
      format,
      sessions: report.totals.sessions,
      ms: Date.now() - started,
    },
    "report served",
  );
  if (format === "json") {
    ctx.status = 200;
    ctx.type = "application/json; charset=utf-8";
    ctx.set("Content-Disposition", `inline; filename="${fileName(report, "json")}"`);
    ctx.body = `${JSON.stringify(report, null, 2)}\n`;
    return;
  }
  const html = renderReportHtml(report, { paper });
  if (format === "html" || deps.printPdf === undefined) {
    ctx.status = 200;
    ctx.type = "text/html; charset=utf-8";
    ctx.body = html;
    return;
  }
  try {
    const pdf = await deps.printPdf(html);
    ctx.status = 200;
    ctx.type = "application/pdf";
    ctx.set("Content-Disposition", `attachment; filename="${fileName(report, "pdf")}"`);
    ctx.body = pdf;
  } catch (error) {
    deps.logger?.warn({ err: describeError(error) }, "a PDF report could not be printed");
    // The printer's sentence ends with the report command's flag; the web's words replace it.
    const why = describeError(error).replace(/; --format html writes the same report$/, "");
    // A full print queue passes; a missing browser does not, so only the queue says when to retry.
    if (toReason(error) === "busy") ctx.set("Retry-After", "60");
    plain(ctx, 503, `the PDF could not be printed: ${why}; format=html is the same report`);
  }
}
