// `report` against the simulator: the numbers of the JSON report equal the simulator's own truth
// of that organization's sessions in the period (counted here from its JSON, with the README's
// restore-type names), and the HTML report is one self-contained page with the same totals.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { findChromium } from "../../src/report/print-pdf.ts";
import { type RunningSimulator, startSimulator } from "../../src/simulator/server.ts";
import { underCi } from "../helpers/ops-tools.ts";

const cli = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));
const TYPES: Record<string, string> = {
  Vex: "exchange",
  Veod: "onedrive",
  Vesp: "sharepoint",
  Vet: "teams",
};

function run(
  sim: RunningSimulator,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runWith(sim, args, {});
}

function runWith(
  sim: RunningSimulator,
  args: readonly string[],
  extra: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VBO_|OTEL_|WEB_|STATE_|SHARD_|LOGS_)/.test(k)),
  );
  const child = spawn(process.execPath, [cli, "report", ...args], {
    env: {
      ...env,
      ...extra,
      VBO_URL: sim.url,
      VBO_USERNAME: sim.username,
      VBO_PASSWORD: sim.password,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

function tally(values: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const v of values) map.set(v, (map.get(v) ?? 0) + 1);
  return map;
}

test("report: JSON numbers equal the simulator's truth; HTML is self-contained", async (t) => {
  const sim = await startSimulator({
    apiVersion: "v8",
    organizations: 3,
    historySessions: 120,
    historyDays: 6,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  const dir = mkdtempSync(join(tmpdir(), "vbo-report-"));
  t.after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const org = sim.world.organizations()[1];
  assert.ok(org);
  const now = Date.now();
  const day = 86_400_000;
  const fromMs = Math.floor((now - 5 * day) / day) * day;
  const toMs = fromMs + 3 * day;
  const truth = [...sim.world.sessionsAt(now)].filter((s) => {
    const start = Date.parse(String(s.creationTime));
    return s.organization === org.name && start >= fromMs && start < toMs;
  });
  assert.ok(truth.length >= 5, `${truth.length} sessions in the period`);
  const events = truth.flatMap((s) => sim.world.eventsAt(s.id, now));
  const items = events.filter((e) => e.type !== "None" || String(e.itemName ?? "") !== "");

  const args = [
    "--organization",
    org.name,
    "--from",
    new Date(fromMs).toISOString(),
    "--to",
    new Date(toMs).toISOString(),
  ];
  const json = await run(sim, args);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as {
    organization: string;
    totals: Record<string, number>;
    byType: { value: string; sessions: number }[];
    byResult: { value: string; sessions: number }[];
    byClientHost: { value: string; sessions: number }[];
    initiators: { value: string; sessions: number }[];
    busiestDays: { value: string; sessions: number }[];
    items: { sizeBytes: number }[];
    sessions: { id: string }[];
  };
  assert.equal(report.organization, org.name);
  assert.deepEqual(report.totals, {
    sessions: truth.length,
    failedSessions: truth.filter((s) => s.result === "Failed").length,
    events: events.length,
    items: items.length,
    itemBytes: items.reduce((sum, e) => sum + Number(e.itemSizeBytes ?? 0), 0),
    failedEvents: events.filter((e) => e.status === "Failed").length,
    // The simulator starts with no audit items and serves every record readable.
    watchedEvents: 0,
    unreadableRecords: 0,
  });
  const asMap = (list: { value: string; sessions: number }[]) =>
    new Map(list.map((c) => [c.value, c.sessions]));
  assert.deepEqual(asMap(report.byType), tally(truth.map((s) => TYPES[String(s.type)] ?? "?")));
  assert.deepEqual(asMap(report.byResult), tally(truth.map((s) => String(s.result))));
  assert.deepEqual(
    asMap(report.initiators),
    tally(truth.map((s) => String(s.initiatedBy ?? "unknown"))),
  );
  // The machine before " (via: ...)"; "unknown" when VBO sent none (README, label rules).
  const hosts = truth.map(
    (s) =>
      String(s.clientHost ?? "")
        .replace(/\s*\(via:.*\)$/i, "")
        .trim() || "unknown",
  );
  assert.deepEqual(asMap(report.byClientHost), tally(hosts));
  const days = tally(
    truth.map((s) => new Date(Date.parse(String(s.creationTime))).toISOString().slice(0, 10)),
  );
  const top = report.busiestDays[0];
  assert.ok(top);
  assert.equal(top.sessions, Math.max(...days.values()));
  assert.deepEqual(new Set(report.sessions.map((s) => s.id)), new Set(truth.map((s) => s.id)));

  const out = join(dir, "report.html");
  const html = await run(sim, [...args, "--format", "html", "--out", out]);
  assert.equal(html.code, 0, html.stderr);
  const page = readFileSync(out, "utf8");
  assert.match(page, /^<!doctype html>/);
  assert.doesNotMatch(page, /<script|<link|src=|href=/i, "nothing outside the page");
  assert.match(page, new RegExp(`<th>Sessions</th><td class="num">${truth.length}</td>`));
  assert.match(page, new RegExp(`<th>Items</th><td class="num">${items.length}</td>`));

  // PDF: the same page printed by headless Chromium (CI installs Debian's chromium).
  const pdfOut = join(dir, "report.pdf");
  if (findChromium() === null && !underCi()) {
    t.diagnostic("PDF not checked: no chromium on PATH (apt-get install chromium)");
  } else {
    const pdf = await run(sim, [...args, "--format", "pdf", "--out", pdfOut]);
    assert.equal(pdf.code, 0, pdf.stderr);
    const bytes = readFileSync(pdfOut);
    assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-");
    assert.match(bytes.subarray(-32).toString("latin1"), /%%EOF\s*$/);
    assert.match(bytes.toString("latin1"), /\/Type\s*\/Page\b/, "at least one page");
  }
  const noBrowser = await runWith(sim, [...args, "--format", "pdf", "--out", pdfOut], {
    CHROMIUM: join(dir, "no-such-browser"),
  });
  assert.equal(noBrowser.code, 1);
  assert.match(
    noBrowser.stderr,
    /headless Chromium, which is not installed .*--format html writes the same report/,
  );
  assert.equal((await run(sim, [...args, "--format", "pdf"])).code, 2, "a PDF needs --out");

  const bad = await run(sim, ["--organization", org.name, "--from", "yesterday", "--to", "now"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--from: "yesterday" is not a time; expected ISO 8601/);
});
