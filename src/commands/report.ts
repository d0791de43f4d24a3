// `report`: one organization's restore activity over a period, read from VBO and written as JSON
// or a self-contained HTML page.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { describeError } from "../errors.ts";
import { printPdf } from "../report/print-pdf.ts";
import { renderReportHtml } from "../report/report-html.ts";
import { buildReport, type SessionWithEvents } from "../report/restore-report.ts";
import { scrub } from "../secrets/scrub.ts";
import type { RestoreEvent } from "../vbo/types.ts";
import { AuditCommandError, connect, findOrganization } from "./audit-connect.ts";
import { type Command, UsageError } from "./command.ts";

const PROGRAM = "vbo-restore-exporter";

const usage = `Usage: ${PROGRAM} report --organization ORG --from TIME --to TIME [flags]

Reads one organization's restore sessions started in [--from, --to) and their events from VBO and
writes a report: sessions by restore type, result and client host, initiators, busiest days,
every item with its size, every failure, and an appendix of the sessions.

Flags:
  --config FILE        configuration (as for serve; without it the VBO_* variables)
  --server NAME        the configured server to read (needed when there are several)
  --organization ORG   organization name, Microsoft 365 domain or id
  --from TIME          start of the period (ISO 8601, e.g. 2026-11-01 or 2026-11-01T00:00:00Z)
  --to TIME            end of the period, exclusive
  --format FORMAT      json (default), html (one self-contained page) or pdf (that page printed
                       by headless Chromium when installed: Debian's chromium; needs --out)
  --out FILE           write there instead of standard output`;

const OPTIONS = {
  config: { type: "string" },
  server: { type: "string" },
  organization: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  format: { type: "string" },
  out: { type: "string" },
  help: { type: "boolean" },
} as const;

function time(flag: string, text: string | undefined): number {
  if (text === undefined) throw new UsageError(`--${flag} is required`);
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (!Number.isFinite(ms))
    throw new UsageError(`--${flag}: expected an ISO 8601 time like 2026-11-01T00:00:00Z`);
  return ms;
}

export const reportCommand: Command = {
  name: "report",
  summary: "one organization's restore activity over a period, as JSON, HTML or PDF",
  usage,
  async run(argv) {
    let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];
    try {
      values = parseArgs({ args: [...argv], options: OPTIONS, strict: true }).values;
    } catch (error) {
      throw new UsageError(
        (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "",
      );
    }
    if (values.help === true) {
      console.log(usage);
      return 0;
    }
    if (values.organization === undefined) throw new UsageError("--organization is required");
    const fromMs = time("from", values.from);
    const toMs = time("to", values.to);
    if (toMs <= fromMs) throw new UsageError("--to must be after --from");
    const format = values.format ?? "json";
    if (format !== "json" && format !== "html" && format !== "pdf")
      throw new UsageError("--format: expected json, html or pdf");
    if (format === "pdf" && values.out === undefined)
      throw new UsageError("--format pdf needs --out FILE");
    const { server, client } = connect(values.config, values.server);
    try {
      const org = await findOrganization(client, values.organization);
      const sessions: SessionWithEvents[] = [];
      for await (const session of client.listRestoreSessions({
        startTimeFrom: new Date(fromMs),
        startTimeTo: new Date(toMs),
      })) {
        if (session.organization !== org.name) continue;
        const events: RestoreEvent[] = [];
        for await (const event of client.listRestoreSessionEvents(session.id)) events.push(event);
        sessions.push({ session, events });
      }
      const report = buildReport({
        server: server.name,
        organization: org.name,
        fromMs,
        toMs,
        sessions,
      });
      const output =
        format === "pdf"
          ? await printPdf(renderReportHtml(report))
          : format === "html"
            ? renderReportHtml(report)
            : `${JSON.stringify(report, null, 2)}\n`;
      if (values.out === undefined) process.stdout.write(output);
      else writeFileSync(values.out, output);
      return 0;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const text = error instanceof AuditCommandError ? error.message : describeError(error);
      console.error(`${PROGRAM} report: ${scrub(text, [server.password])} (server ${server.name})`);
      return 1;
    } finally {
      client.close();
    }
  },
};
