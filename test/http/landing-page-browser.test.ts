// The landing page and a session's page in a real headless Chromium, against the simulator and the
// exporter's core: no horizontal overflow at 1 280 px and on a phone, a filter narrows the rows
// (also without JavaScript), the session page lists the events VBO has; the screenshots in
// docs/images/ come from here.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { chromium, type Page } from "playwright-core";
import { createApp } from "../../src/http/app.ts";
import { startWebServer } from "../../src/http/server.ts";
import { createSessionReader } from "../../src/pipeline/session-reader.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { createVboClient } from "../../src/vbo/client.ts";
import { startCore } from "../helpers/exporter-core.ts";
import { manualClock } from "../helpers/manual-clock.ts";

/** Debian's chromium; CHROMIUM_PATH names another build of it. */
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const IMAGES = join(import.meta.dirname, "..", "..", "docs", "images");
// A fixed instant: the simulated history and the page's "ago" texts, so the screenshots are stable.
const T = Date.parse("2026-05-04T10:00:00Z");

const missing = !existsSync(CHROMIUM);
const skip =
  missing && process.env.CI !== "true"
    ? `${CHROMIUM} is missing: apt-get install -y chromium (CI installs it and fails without it)`
    : false;

/** Exact-enough instant of a VBO timestamp for ordering (the test's own reading, to the ms). */
function instant(text: string): number {
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, "$1"));
  assert.ok(Number.isFinite(ms), `the simulator sent a readable time: ${text}`);
  return ms;
}

async function noHorizontalOverflow(page: Page, what: string): Promise<void> {
  // Evaluated in the page (a string: this project's TypeScript has no DOM types).
  const { scrollWidth, innerWidth } = (await page.evaluate(
    "({ scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth })",
  )) as { scrollWidth: number; innerWidth: number };
  assert.ok(
    scrollWidth <= innerWidth,
    `${what}: ${scrollWidth} px wide in a ${innerWidth} px window`,
  );
}

/** What the reader sees first (the whole page with fullPage). */
async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(IMAGES, { recursive: true });
  const file = join(IMAGES, name);
  await page.screenshot({ path: file, fullPage });
  assert.ok(statSync(file).size > 10_000, `${name} holds a picture`);
}

test("the pages fit 1280 px and a phone, filter with and without JavaScript, and show a session's events", {
  skip,
  timeout: 120_000,
}, async (t) => {
  assert.ok(!missing, `${CHROMIUM} is missing: apt-get install -y chromium`);
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 120,
    historyDays: 2,
    ratePerMinute: 0,
    tokenThrottle: false,
    clock: () => T,
  });
  t.after(() => sim.close());
  const clock = manualClock(T);
  const target = { name: "lab", url: sim.url, username: sim.username, password: sim.password };
  const core = startCore({ targets: [target], clock, poller: { lookbackMs: 7 * 86_400_000 } });
  t.after(() => core.close());
  await core.poller().pollOnce();
  assert.equal(core.poller().status().up, true, "the first poll read the simulator");

  const client = createVboClient({ ...target, apiVersion: "auto", clock, timeoutMs: 5_000 });
  t.after(() => client.close());
  const app = createApp({
    registry: core.registry,
    // The simulator's port changes every run; the screenshots show a stable address instead.
    statuses: () => [{ ...core.poller().status(), url: "https://vbo.example:4443" }],
    recentSessions: (limit) => core.store.recentSessions(limit),
    ready: () => ({ ready: true }),
    version: "0.1.0",
    now: () => T + 20_000,
    sessionReader: createSessionReader(new Map([["lab", client]])),
    grafana: { url: "http://grafana.example:3000", lokiDatasource: "loki" },
  });
  const web = await startWebServer(app, { host: "127.0.0.1", port: 0, tls: null });
  t.after(() => web.close());

  // Ground truth: the simulator's own sessions, newest first.
  const truth = [...sim.world.sessionsAt(T)].sort(
    (a, b) => instant(b.creationTime) - instant(a.creationTime),
  );
  assert.equal(truth.length, 120);

  const browser = await chromium.launch({ executablePath: CHROMIUM });
  t.after(() => browser.close());
  const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await desktop.goto(web.url);
  await noHorizontalOverflow(desktop, "landing page at 1280 px");

  const rows = desktop.locator("table.sessions tbody tr");
  assert.equal(await rows.count(), 25, "the latest 25 sessions");
  const shownIds = await rows.evaluateAll((trs) =>
    trs.map((tr) =>
      new URLSearchParams(tr.querySelector("a")?.getAttribute("href")?.split("?")[1]).get("id"),
    ),
  );
  assert.deepEqual(
    shownIds,
    truth.slice(0, 25).map((s) => s.id),
    "newest first",
  );
  const started = await rows.evaluateAll((trs) =>
    trs.map((tr) => tr.querySelector("time")?.getAttribute("datetime") ?? ""),
  );
  assert.deepEqual(
    started.map((s) => Date.parse(s)),
    truth.slice(0, 25).map((s) => instant(s.creationTime)),
    "each row's time is its session's instant",
  );
  assert.match(await desktop.locator(".summary").innerText(), /latest 25 of 120 sessions/);
  const hover = await desktop.locator("table.sessions time").first().getAttribute("title");
  assert.match(String(hover), /^Local time: .+\nVBO: /, "the page script ran (the CSP allows it)");
  await screenshot(desktop, "landing-page-1280.png");

  // A filter narrows the rows to one organization (the script applies it on change).
  const organization = String(truth[0]?.organization);
  const expected = truth.filter((s) => s.organization === organization);
  assert.ok(expected.length > 1 && expected.length < 120, "the organization has some sessions");
  await Promise.all([
    desktop.waitForURL(/organization=/),
    desktop.selectOption('select[name="organization"]', organization),
  ]);
  const filtered = await rows.evaluateAll((trs) => trs.map((tr) => tr.children[4]?.textContent));
  assert.equal(filtered.length, Math.min(25, expected.length));
  assert.ok(
    filtered.every((o) => o === organization),
    "only that organization's sessions",
  );
  assert.match(
    await desktop.locator(".summary").innerText(),
    new RegExp(`of ${expected.length} matching sessions`),
  );
  await noHorizontalOverflow(desktop, "filtered landing page at 1280 px");

  // The newest session with events: its page lists what VBO has, in VBO's order.
  const withEvents = truth.find((s) => sim.world.eventsAt(s.id, T).length > 2);
  assert.ok(withEvents, "a session with events");
  const events = sim.world.eventsAt(withEvents.id, T);
  await desktop.goto(`${web.url}?refresh=off`);
  await Promise.all([
    desktop.waitForURL(/\/session\?/),
    desktop.click(`a[href*="${withEvents.id}"]`),
  ]);
  const messages = await desktop
    .locator("table.events tbody tr")
    .evaluateAll((trs) => trs.map((tr) => tr.children[8]?.textContent));
  assert.deepEqual(
    messages,
    events.map((e) => String(e.message || e.title)),
    "the session's events as the simulator serves them",
  );
  const grafana = await desktop.locator('nav a[href^="http://grafana.example:3000/explore"]');
  assert.equal(await grafana.count(), 1, "a link to the session's audit log in Grafana");
  await noHorizontalOverflow(desktop, "session page at 1280 px");
  await screenshot(desktop, "session-page-1280.png", true);

  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  await phone.goto(`${web.url}?refresh=off`);
  await noHorizontalOverflow(phone, "landing page at 390 px");
  await screenshot(phone, "landing-page-phone.png");
  await phone.goto(desktop.url());
  await noHorizontalOverflow(phone, "session page at 390 px");

  // Without JavaScript the form still filters, through its Apply button.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const noJs = await plain.newPage();
  await noJs.goto(`${web.url}?refresh=off`);
  const type = String(truth[0]?.type);
  const label = { Vex: "exchange", Veod: "onedrive", Vesp: "sharepoint", Vet: "teams" }[type];
  assert.ok(label, `a known restore type (${type})`);
  await noJs.selectOption('select[name="type"]', label);
  await Promise.all([noJs.waitForURL(/type=/), noJs.click('button[type="submit"]')]);
  const types = await noJs
    .locator("table.sessions tbody tr")
    .evaluateAll((trs) => trs.map((tr) => tr.children[5]?.textContent));
  const ofType = truth.filter((s) => s.type === type);
  assert.equal(types.length, Math.min(25, ofType.length));
  assert.ok(
    types.every((t) => t === label),
    "only that type's sessions",
  );
  assert.match(noJs.url(), /refresh=off/, "the paused refresh stays paused");
});
