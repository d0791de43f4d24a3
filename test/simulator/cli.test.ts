// `simulate` on the command line: usage errors exit 2, a started simulator prints its URL and credentials.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { get, login } from "../helpers/sim-http.ts";

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

test("the restore example of simulate --help and the README makes a restore of that mailbox", async (t) => {
  const help = spawnSync(process.execPath, [cli, "simulate", "--help"], { encoding: "utf8" });
  for (const field of ["mailbox", "eventType", "eventCount", "organization", "initiatedBy"])
    assert.match(help.stdout, new RegExp(`^ +${field} +\\S`, "m"), `--help documents ${field}`);
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## The simulator"));
  const body = (text: string) => /curl -X POST -d '(\{[^']*"mailbox"[^']*\})'/.exec(text)?.[1];
  const example = body(help.stdout);
  assert.ok(example, "simulate --help has a curl example with a mailbox");
  assert.equal(body(section), example, "the README shows the same example");
  const sim = await startSimulator({
    apiVersion: "v8",
    tokenThrottle: false,
    ratePerMinute: 0,
    historySessions: 0,
    sessionDurationSeconds: 1,
  });
  t.after(() => sim.close());
  const created = await fetch(`${sim.url}/_simulator/sessions`, { method: "POST", body: example });
  assert.equal(created.status, 201);
  const { id } = (await created.json()) as { id: string };
  const spec = JSON.parse(example) as { mailbox: string; eventType: string; eventCount: number };
  const token = await login(sim);
  type Event = { type: string; source: string };
  let items: Event[] = [];
  for (const deadline = Date.now() + 20_000; items.length < spec.eventCount; ) {
    assert.ok(Date.now() < deadline, "the session's item events arrive");
    const events = (await get(sim, token, `/v8/RestoreSessions/${id}/Events?limit=100`)).json() as {
      results: Event[];
    };
    items = events.results.filter((e) => e.type !== "None");
    if (items.length < spec.eventCount) await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(
    items.map((e) => e.type),
    Array.from({ length: spec.eventCount }, () => spec.eventType),
  );
  // An Exchange restore's source is the mailbox's folder: "Alice Smith\\Inbox".
  for (const e of items) assert.ok(e.source.startsWith(`${spec.mailbox}\\`), e.source);
});
