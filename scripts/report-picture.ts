// Makes docs/images/report.png, the README's picture of an HTML report: the `report` command against
// the simulator at a fixed instant (one user watched, two restores of that user's mail), the page
// shot 1280 px wide in Debian's chromium (CHROMIUM_PATH names another build). Run:
// node bin/project-node.mjs scripts/report-picture.ts
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { startSimulator } from "../src/simulator/server.ts";

const CLI = new URL("../src/cli.ts", import.meta.url);
const OUT = new URL("../docs/images/report.png", import.meta.url);
/** The simulator's clock: the history is the October before it, the same on every run. */
const T = Date.parse("2026-11-01T06:00:00Z");

function cli(env: NodeJS.ProcessEnv, args: readonly string[]): Promise<void> {
  const child = spawn(process.execPath, [CLI.pathname, ...args], {
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  return new Promise((resolve, reject) =>
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${args.slice(0, 3).join(" ")}: exit ${code}`)),
    ),
  );
}

if (import.meta.main) {
  const sim = await startSimulator({
    apiVersion: "v8",
    organizations: 3,
    historySessions: 500,
    historyDays: 31,
    ratePerMinute: 0,
    tokenThrottle: false,
    clock: () => T,
  });
  const dir = mkdtempSync(join(tmpdir(), "vbo-report-picture-"));
  try {
    const org = sim.world.organizations()[0];
    if (org === undefined) throw new Error("the simulator has no organization");
    const env = {
      PATH: process.env.PATH ?? "",
      VBO_URL: sim.url,
      VBO_USERNAME: sim.username,
      VBO_PASSWORD: sim.password,
    };
    await cli(env, ["audit", "items", "add", "--organization", org.name, "Eileen O'Connor"]);
    for (const [day, host, who] of [
      [9, "HELPDESK07 (via: 203.0.113.10)", "CONTOSO\\mallory"],
      [23, "LAPTOP-7Q2K9", "CONTOSO\\jdoe"],
    ] as const) {
      const reply = await fetch(`${sim.url}/_simulator/sessions`, {
        method: "POST",
        body: JSON.stringify({
          organization: org.name,
          type: "Vex",
          mailbox: "Eileen O'Connor",
          eventType: "View",
          eventCount: 2,
          durationSeconds: 60,
          startMs: Date.UTC(2026, 9, day, 14, 5),
          clientHost: host,
          initiatedBy: who,
        }),
      });
      if (reply.status !== 201) throw new Error(`adding a session: HTTP ${reply.status}`);
    }
    const page = join(dir, "report.html");
    await cli(env, [
      "report",
      "--organization",
      org.name,
      "--month",
      "2026-10",
      "--format",
      "html",
      "--out",
      page,
    ]);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: ["--no-sandbox"],
    });
    try {
      const tab = await browser.newPage({ viewport: { width: 1280, height: 1300 } });
      await tab.goto(pathToFileURL(page).href);
      await tab.screenshot({ path: OUT.pathname });
    } finally {
      await browser.close();
    }
    console.log(`wrote docs/images/report.png (${statSync(OUT).size} bytes)`);
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
