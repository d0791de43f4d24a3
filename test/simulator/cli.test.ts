// `simulate` on the command line: usage errors exit 2, a started simulator prints its URL and credentials.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { test } from "node:test";

const cli = new URL("../../src/cli.ts", import.meta.url).pathname;

test("simulate --help prints the flags; bad flags print one line and the usage, exit 2", () => {
  const help = spawnSync(process.execPath, [cli, "simulate", "--help"], { encoding: "utf8" });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--api-version v6\|v7\|v8/);
  for (const args of [
    ["--api-version", "v5"],
    ["--port", "http"],
    ["--error-rate", "2"],
    ["--frobnicate"],
    ["--tls-cert", "x.pem"],
  ]) {
    const bad = spawnSync(process.execPath, [cli, "simulate", ...args], { encoding: "utf8" });
    assert.equal(bad.status, 2, args.join(" "));
    const [first] = bad.stderr.split("\n");
    assert.match(first ?? "", /^vbo-restore-exporter simulate: /);
    assert.match(bad.stderr, /Usage: vbo-restore-exporter simulate/);
  }
});

test("simulate starts, prints its base URL and credentials, and stops on SIGTERM", async () => {
  const child = spawn(
    process.execPath,
    [cli, "simulate", "--port", "0", "--api-version", "v6", "--password", "s3cret"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout.setEncoding("utf8");
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
      if (out.includes("Credentials")) resolve();
    });
    child.once("exit", () => reject(new Error(`exited early: ${out}`)));
  });
  const url = /listening at (http:\/\/\S+)\/v6/.exec(out)?.[1];
  assert.ok(url, out);
  assert.match(out, /password "s3cret"/);
  const probe = await fetch(`${url}/v6/ServiceInstance`);
  assert.equal(probe.status, 401);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  child.kill("SIGTERM");
  assert.equal(await exited, 0);
});

test("simulate reads --organizations up to many thousands and --change-token-ttl", async () => {
  const { simulatorOptionsFromFlags } = await import("../../src/commands/simulate.ts");
  const options = simulatorOptionsFromFlags([
    "--organizations",
    "2000",
    "--change-token-ttl",
    "60",
  ]);
  assert.equal(options.organizations, 2000);
  assert.equal(options.changeTokenTtlSeconds, 60);
  assert.equal(simulatorOptionsFromFlags([]).changeTokenTtlSeconds, 3600);
});
