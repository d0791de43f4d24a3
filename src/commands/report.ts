// `report`: one organization's restore activity over a period, read from VBO and written as JSON
// or a self-contained HTML page.
import { accessSync, constants, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { localSubjects } from "../audit/local-entries.ts";
import type { WatchedSubject } from "../audit/watchlist.ts";
import { readVboWatchlist } from "../audit/watchlist-source.ts";
import { describeError } from "../errors.ts";
import { collectReport } from "../report/collect-report.ts";
import { parsePeriod } from "../report/period.ts";
import { printPdf } from "../report/print-pdf.ts";
import { PAPER_SIZES, renderReportHtml } from "../report/report-html.ts";
import { scrub } from "../secrets/scrub.ts";
import { AuditCommandError, connect, findOrganization } from "./audit-connect.ts";
import { type Command, UsageError } from "./command.ts";

const PROGRAM = "vbo-restore-exporter";

const usage = `Usage: ${PROGRAM} report --organization ORG (--month YYYY-MM | --from TIME --to TIME) [flags]

Reads one organization's restore sessions started in [--from, --to) and their events from VBO and
writes a report: sessions by restore type, result and client host, initiators, sessions per day
(a chart in HTML and PDF) and the busiest days, every item with its size, accesses to watched data
(the server's watchlist as it is now), every failure, the records VBO sent that could not be read,
and an appendix of the sessions.

Flags:
  --config FILE        configuration (as for serve; without it the VBO_* variables)
  --server NAME        the configured server to read (needed when there are several)
  --organization ORG   organization name, Microsoft 365 domain or id
  --month YYYY-MM      that calendar month (UTC), instead of --from and --to
  --from TIME          start of the period (ISO 8601, e.g. 2026-11-01 or 2026-11-01T00:00:00Z)
  --to TIME            end of the period, exclusive
  --format FORMAT      json (default), html (one self-contained page) or pdf (that page printed
                       by headless Chromium when installed: Debian's chromium; needs --out)
  --paper SIZE         the printed page: A4 (default) or Letter
  --out FILE           write there instead of standard output`;

const OPTIONS = {
  config: { type: "string" },
  server: { type: "string" },
  organization: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  month: { type: "string" },
  format: { type: "string" },
  out: { type: "string" },
  paper: { type: "string" },
  help: { type: "boolean" },
} as const;

/** Says before reading VBO (which can take long) that the output cannot be written. */
function checkWritable(out: string): void {
  const dir = dirname(resolve(out));
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`--out: the directory ${dir} does not exist`);
  }
  if (!isDir) throw new UsageError(`--out: ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`--out: cannot write in ${dir} (permission denied)`);
  }
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
    const period = parsePeriod(values, Date.now());
    if (!period.ok) throw new UsageError(period.message);
    const { fromMs, toMs } = period;
    const format = values.format ?? "json";
    if (format !== "json" && format !== "html" && format !== "pdf")
      throw new UsageError("--format: expected json, html or pdf");
    const paper = PAPER_SIZES.find((p) => p.toLowerCase() === (values.paper ?? "A4").toLowerCase());
    if (paper === undefined) throw new UsageError("--paper: expected A4 or Letter");
    if (format === "pdf" && values.out === undefined)
      throw new UsageError("--format pdf needs --out FILE");
    if (values.out !== undefined) checkWritable(values.out);
    const { server, client } = connect(values.config, values.server);
    try {
      const org = await findOrganization(client, values.organization);
      // The watchlist as it is now; a server whose audit items cannot be read still gets its
      // report, checked against the local entries only, and the report says so.
      let fromVbo: WatchedSubject[] = [];
      let watchlistError: string | null = null;
      if (server.watchlist.fromVbo) {
        try {
          fromVbo = await readVboWatchlist(client);
        } catch (error) {
          watchlistError = scrub(describeError(error), [server.password]);
          console.error(
            `warning: cannot read VBO's audit items (${watchlistError}); watched data is checked against the configuration's entries only`,
          );
        }
      }
      let read = 0;
      const report = await collectReport(client, {
        server: server.name,
        organization: org.name,
        fromMs,
        toMs,
        watchlist: { subjects: [...fromVbo, ...localSubjects(server.watchlist.subjects)] },
        watchlistError,
        onSession: (n) => {
          read = n;
          if (n % 500 === 0 && process.stderr.isTTY) process.stderr.write(`\r${n} sessions read`);
        },
      });
      if (read >= 500 && process.stderr.isTTY) process.stderr.write("\n");
      const output =
        format === "pdf"
          ? await printPdf(renderReportHtml(report, { paper }))
          : format === "html"
            ? renderReportHtml(report, { paper })
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
