// The CLI dispatcher: help, unknown commands and usage errors give the documented exit codes.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { freePort } from "./helpers/ops-processes.ts";

const cli = new URL("../src/cli.ts", import.meta.url).pathname;

function run(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
}

test("--help lists the commands and exits 0", () => {
  const result = run("--help");
  assert.equal(result.status, 0);
  assert.match(result.stdout, /Usage: vbo-restore-exporter <command>/);
});

test("--version prints the package version and exits 0", async () => {
  const { default: packageJson } = await import("../package.json", { with: { type: "json" } });
  for (const flag of ["--version", "-V", "version"]) {
    const result = run(flag);
    assert.equal(result.status, 0, flag);
    assert.equal(result.stdout, `vbo-restore-exporter ${packageJson.version}\n`, flag);
  }
});

test("an unknown command prints the overview and exits 2", () => {
  const result = run("frobnicate");
  assert.equal(result.status, 2);
  assert.match(result.stderr, /unknown command "frobnicate"/);
});

const launcher = new URL("../bin/vbo-restore-exporter.mjs", import.meta.url).pathname;

test("the bin launcher runs the CLI on this Node and passes the exit code through", () => {
  const help = spawnSync(process.execPath, [launcher, "--help"], { encoding: "utf8" });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: vbo-restore-exporter <command>/);
  const bad = spawnSync(process.execPath, [launcher, "frobnicate"], { encoding: "utf8" });
  assert.equal(bad.status, 2);
});

test("the bin launcher re-executes on the bundled Node when the system Node is older", (t) => {
  const systemNode = "/usr/bin/node";
  const version = spawnSync(systemNode, ["--version"], { encoding: "utf8" });
  if (version.status !== 0) {
    t.skip("no system Node at /usr/bin/node");
    return;
  }
  const help = spawnSync(systemNode, [launcher, "simulate", "--help"], { encoding: "utf8" });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: vbo-restore-exporter simulate/);
});

for (const target of ["the launcher", "its whole process group (as systemd does)"] as const) {
  test(`SIGTERM to ${target} on an older system Node stops the exporter it started, cleanly`, async (t) => {
    const systemNode = "/usr/bin/node";
    if (spawnSync(systemNode, ["--version"]).status !== 0) {
      t.skip("no system Node at /usr/bin/node");
      return;
    }
    const port = await freePort();
    const stateDir = mkdtempSync(join(tmpdir(), "vbo-launcher-"));
    t.after(() => rmSync(stateDir, { recursive: true, force: true }));
    const group = target !== "the launcher";
    const launched = spawn(
      systemNode,
      [launcher, "serve", "--listen-address", `127.0.0.1:${port}`, "--state-dir", stateDir],
      { stdio: "ignore", detached: group },
    );
    const exited = new Promise<number | null>((resolve) => launched.on("exit", resolve));
    const healthy = async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 20_000;
    while (!(await healthy())) {
      assert.ok(Date.now() < deadline, "the exporter did not come up");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (group) process.kill(-(launched.pid ?? 0), "SIGTERM");
    else launched.kill("SIGTERM");
    assert.equal(
      await exited,
      0,
      "the exporter stopped cleanly and the launcher passed its code on",
    );
    assert.equal(await healthy(), false, "nothing listens any more");
  });
}
