// The /reports page in a real headless Chromium against the simulator: choosing an organization or
// a format in the form starts nothing (a report reads VBO for a while); the button makes the
// report of the period typed in.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { chromium } from "playwright-core";
import { createApp } from "../../src/http/app.ts";
import { startWebServer } from "../../src/http/server.ts";
import { createReportService } from "../../src/report/report-service.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { createVboClient } from "../../src/vbo/client.ts";

/** Debian's chromium; CHROMIUM_PATH names another build of it. */
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const missing = !existsSync(CHROMIUM);
const skip =
  missing && process.env.CI !== "true"
    ? `${CHROMIUM} is missing: apt-get install -y chromium (CI installs it and fails without it)`
    : false;

test("the report form waits for its button", { skip, timeout: 60_000 }, async (t) => {
  assert.ok(!missing, `${CHROMIUM} is missing: apt-get install -y chromium`);
  const sim = await startSimulator({
    apiVersion: "v8",
    organizations: 3,
    historySessions: 30,
    historyDays: 3,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  t.after(() => sim.close());
  const client = createVboClient({
    url: sim.url,
    apiVersion: "auto",
    username: sim.username,
    password: sim.password,
    timeoutMs: 10_000,
  });
  t.after(() => client.close());
  const web = await startWebServer(
    createApp({
      registry: { contentType: "text/plain", metrics: async () => "" },
      statuses: () => [],
      recentSessions: () => [],
      ready: () => ({ ready: true }),
      version: "test",
      reports: createReportService({
        clients: new Map([["lab", client]]),
        watchlist: () => undefined,
        now: Date.now,
      }),
    }),
    { host: "127.0.0.1", port: 0, tls: null },
  );
  t.after(() => web.close());
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const asked: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/reports/report")) asked.push(r.url());
  });
  await page.goto(`${web.url}reports`);
  const second = sim.world.organizations()[1]?.name ?? "";
  await page.selectOption('select[name="organization"]', second);
  await page.selectOption('select[name="format"]', "json");
  await page.fill('input[name="from"]', "2026-01-01");
  assert.deepEqual(asked, [], "choosing in the form asked for no report");
  assert.equal(new URL(page.url()).pathname, "/reports");
  await Promise.all([page.waitForURL(/\/reports\/report\?/), page.click("button[type=submit]")]);
  const query = new URL(page.url()).searchParams;
  assert.equal(query.get("organization"), second);
  assert.equal(query.get("format"), "json");
  assert.equal(query.get("from"), "2026-01-01");
  assert.equal(asked.length, 1);
});
