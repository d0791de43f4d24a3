// `report` against the simulator: the numbers of the JSON report equal the simulator's own truth
// of that organization's sessions in the period (counted here from its JSON, with the README's
// restore-type names), the HTML report is one self-contained page with the same totals and a bar
// per day, its PDF renders (poppler) to a page that shows them, and the period is checked.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { findChromium } from "../../src/report/print-pdf.ts";
import { type RunningSimulator, startSimulator } from "../../src/simulator/server.ts";
import { findTool, runTool, underCi } from "../helpers/ops-tools.ts";
import { runCli } from "../helpers/report-cli.ts";

const TYPES: Record<string, string> = {
  Vex: "exchange",
  Veod: "onedrive",
  Vesp: "sharepoint",
  Vet: "teams",
};

const run = (sim: RunningSimulator, args: readonly string[], extra: Record<string, string> = {}) =>
  runCli(sim, "report", args, extra);

/** Width and height of a PNG, after checking its signature and that it starts with IHDR. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.subarray(12, 16).toString("latin1"), "IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The grey levels of a binary PGM (P5, 8 bit): how many distinct, and the share of dark pixels. */
function pgmLevels(pgm: Buffer): { distinct: number; dark: number; pixels: number } {
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 64).toString("latin1"));
  assert.ok(header, "a binary PGM header");
  assert.equal(header[3], "255", "8-bit grey");
  const pixels = Number(header[1]) * Number(header[2]);
  const data = pgm.subarray(header[0].length);
  assert.equal(data.length, pixels, "one byte per pixel");
  const seen = new Set<number>();
  let dark = 0;
  for (const level of data) {
    seen.add(level);
    if (level < 128) dark += 1;
  }
  return { distinct: seen.size, dark, pixels };
}

function tally(values: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const v of values) map.set(v, (map.get(v) ?? 0) + 1);
  return map;
}

/**
 * The PDF's first page rendered by poppler (CI installs poppler-utils): a real PNG, a page that is
 * not blank, and its text holds `expected` (whitespace between words as the layout puts it).
 */
async function renderedFirstPage(
  t: { diagnostic(message: string): void },
  pdf: string,
  dir: string,
  expected: readonly string[],
): Promise<void> {
  const pdftoppm = findTool("pdftoppm");
  const pdftotext = findTool("pdftotext");
  if ((pdftoppm === undefined || pdftotext === undefined) && !underCi()) {
    t.diagnostic("PDF not rendered: no pdftoppm/pdftotext on PATH (apt-get install poppler-utils)");
    return;
  }
  assert.ok(pdftoppm && pdftotext, "pdftoppm and pdftotext (apt-get install poppler-utils)");
  const page = ["-r", "50", "-f", "1", "-l", "1", "-singlefile", pdf];
  const png = await runTool(pdftoppm, ["-png", ...page, join(dir, "page")]);
  assert.equal(png.code, 0, png.stderr);
  const pngBytes = readFileSync(join(dir, "page.png"));
  assert.ok(pngBytes.length > 5_000, `a PNG of ${pngBytes.length} bytes`);
  const { width, height } = pngSize(pngBytes);
  // A4 or Letter at 50 dpi: about 413 to 425 px wide, 550 to 585 px high.
  assert.ok(width > 380 && width < 460 && height > 520 && height < 620, `${width}x${height} px`);
  const gray = await runTool(pdftoppm, ["-gray", ...page, join(dir, "page")]);
  assert.equal(gray.code, 0, gray.stderr);
  const levels = pgmLevels(readFileSync(join(dir, "page.pgm")));
  assert.ok(levels.distinct > 1, "not a blank page");
  assert.ok(levels.dark > levels.pixels / 200, `${levels.dark} dark pixels: text on the page`);
  const text = await runTool(pdftotext, ["-f", "1", "-l", "1", pdf, "-"]);
  assert.equal(text.code, 0, text.stderr);
  const words = text.stdout.replace(/\s+/g, " ");
  for (const want of expected)
    assert.ok(words.includes(want), `"${want}" in: ${words.slice(0, 400)}`);
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
  // The simulator speaks plain http://: said once, not by every layer that loads the configuration.
  assert.equal(json.stderr.split("plain http://").length - 1, 1, json.stderr);
  const report = JSON.parse(json.stdout) as {
    organization: string;
    totals: Record<string, number>;
    byType: { value: string; sessions: number }[];
    itemsByAction: { action: string; items: number; bytes: number }[];
    byResult: { value: string; sessions: number }[];
    byClientHost: { value: string; sessions: number }[];
    initiators: { value: string; sessions: number }[];
    busiestDays: { value: string; sessions: number }[];
    byDay: { value: string; sessions: number }[];
    items: { sizeBytes: number }[];
    sessions: { id: string }[];
  };
  assert.equal(report.organization, org.name);
  assert.deepEqual(report.totals, {
    sessions: truth.length,
    // A session still running has no final result yet: VBO's interim one is not counted.
    failedSessions: truth.filter((s) => s.state === "Stopped" && s.result === "Failed").length,
    runningSessions: truth.filter((s) => s.state !== "Stopped").length,
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
  // Items restored, exported, sent, ... with their sizes, per action.
  const actions = new Map<string, { items: number; bytes: number }>();
  for (const e of items) {
    const a = actions.get(String(e.type)) ?? { items: 0, bytes: 0 };
    actions.set(String(e.type), {
      items: a.items + 1,
      bytes: a.bytes + Number(e.itemSizeBytes ?? 0),
    });
  }
  assert.deepEqual(
    new Map(report.itemsByAction.map((a) => [a.action, { items: a.items, bytes: a.bytes }])),
    actions,
  );
  assert.deepEqual(
    asMap(report.byResult),
    tally(truth.map((s) => (s.state === "Stopped" ? String(s.result) : "Running"))),
  );
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
  assert.deepEqual(
    report.byDay,
    [...days]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([value, sessions]) => ({ value, sessions })),
    "every day with sessions, in date order",
  );
  assert.deepEqual(new Set(report.sessions.map((s) => s.id)), new Set(truth.map((s) => s.id)));

  const out = join(dir, "report.html");
  const html = await run(sim, [...args, "--format", "html", "--out", out]);
  assert.equal(html.code, 0, html.stderr);
  const page = readFileSync(out, "utf8");
  assert.match(page, /^<!doctype html>/);
  assert.doesNotMatch(page, /<script|<link|src=|href=/i, "nothing outside the page");
  assert.match(page, new RegExp(`<th>Sessions</th><td class="num">${truth.length}</td>`));
  assert.match(page, new RegExp(`<th>Items</th><td class="num">${items.length}</td>`));
  assert.match(page, /<th>Watched events<\/th><td class="num">0<\/td>/);
  assert.match(page, /<th>Records that could not be read<\/th><td class="num">0<\/td>/);
  assert.match(page, /Nothing is watched on this server.*audit items add/);
  assert.match(page, /Through Cloud Connect, VBO may record the organization itself/);
  assert.doesNotMatch(
    page,
    /Records that could not be read<\/h2>/,
    "no such section when all read",
  );
  // The chart: one bar per day with sessions, each with its day and count as text.
  const svg = /<svg class="chart"[^>]*>[\s\S]*?<\/svg>/.exec(page)?.[0] ?? "";
  assert.ok(svg !== "", "an inline SVG chart");
  assert.equal(svg.match(/<rect /g)?.length, days.size, "one bar per day");
  for (const [day, n] of days) {
    assert.match(svg, new RegExp(`<title>${day}: ${n} sessions</title>`));
    assert.match(svg, new RegExp(`>${day}</text>`));
    assert.match(svg, new RegExp(`>${n}</text>`));
  }

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
    await renderedFirstPage(t, pdfOut, dir, [org.name, `Sessions ${truth.length}`]);
  }
  const noBrowser = await run(sim, [...args, "--format", "pdf", "--out", pdfOut], {
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

test("report: --month is that UTC month; a reversed or future period is a sentence and exit 2", async (t) => {
  const sim = await startSimulator({
    apiVersion: "v8",
    organizations: 2,
    historySessions: 60,
    historyDays: 6,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  t.after(() => sim.close());
  const org = sim.world.organizations()[0];
  assert.ok(org);
  const now = new Date();
  const month = now.toISOString().slice(0, 7);
  const first = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  const json = await run(sim, ["--organization", org.name, "--month", month]);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as {
    from: string;
    to: string;
    totals: { sessions: number };
  };
  assert.equal(report.from, new Date(first).toISOString());
  assert.equal(report.to, new Date(next).toISOString());
  const inMonth = [...sim.world.sessionsAt(Date.now())].filter((s) => {
    const start = Date.parse(String(s.creationTime));
    return s.organization === org.name && start >= first && start < next;
  });
  assert.equal(report.totals.sessions, inMonth.length);

  const day = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const future = await run(sim, [
    "--organization",
    org.name,
    "--from",
    iso(Date.now() + 2 * day),
    "--to",
    iso(Date.now() + 9 * day),
  ]);
  assert.equal(future.code, 2, future.stderr);
  assert.match(
    future.stderr,
    /the period starts in the future .*VBO has no restore sessions there/,
  );
  assert.equal(future.stdout, "");
  const futureMonth = new Date(next + 40 * day).toISOString().slice(0, 7);
  const later = await run(sim, ["--organization", org.name, "--month", futureMonth]);
  assert.equal(later.code, 2, later.stderr);
  assert.match(later.stderr, /the period starts in the future/);

  const reversed = await run(sim, [
    "--organization",
    org.name,
    "--from",
    iso(Date.now() - day),
    "--to",
    iso(Date.now() - 3 * day),
  ]);
  assert.equal(reversed.code, 2, reversed.stderr);
  assert.match(
    reversed.stderr,
    /the period is reversed or empty: --to \(.*\) must be after --from/,
  );
  const badMonth = await run(sim, ["--organization", org.name, "--month", "2026-13"]);
  assert.equal(badMonth.code, 2);
  assert.match(badMonth.stderr, /--month: expected YYYY-MM like 2026-11/);

  // An output that cannot be written is said before VBO is read, not after.
  const nowhere = await run(sim, [
    "--organization",
    org.name,
    "--month",
    month,
    "--format",
    "html",
    "--out",
    "/nonexistent/dir/r.html",
  ]);
  assert.equal(nowhere.code, 2, nowhere.stderr);
  assert.match(nowhere.stderr, /--out: the directory \/nonexistent\/dir does not exist/);
  const letter = await run(sim, [
    "--organization",
    org.name,
    "--month",
    month,
    "--format",
    "html",
    "--paper",
    "letter",
  ]);
  assert.equal(letter.code, 0, letter.stderr);
  assert.match(letter.stdout, /@page\{size:Letter;/);
  const paper = await run(sim, ["--organization", org.name, "--month", month, "--paper", "B5"]);
  assert.equal(paper.code, 2);
  assert.match(paper.stderr, /--paper: expected A4 or Letter/);
});
