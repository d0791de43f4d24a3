// The CLI dispatcher: help, unknown commands and usage errors give the documented exit codes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

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
