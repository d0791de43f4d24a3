// The composition root in-process: two servers, one unreachable, still make a ready exporter
// (vbo_up says which is down), sharding hands each replica only its share of the servers, and a
// tenant mapping that splits one organization across two tenants is warned about at start.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { test } from "node:test";
import { parseConfig } from "../../src/config/parse.ts";
import { stableHash } from "../../src/config/sharding.ts";
import type { ExporterConfig } from "../../src/config/types.ts";
import { createLogger, silentLogger } from "../../src/logger.ts";
import { startExporter } from "../../src/main.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { get } from "../http/request.ts";
import { eventually } from "./spawn-serve.ts";

function config(text: string, dir: string): ExporterConfig {
  const result = parseConfig({
    text,
    fileName: "config.yml",
    baseDir: dir,
    cwd: dir,
    env: {},
    readFile: () => {
      throw Object.assign(new Error("none"), { code: "ENOENT" });
    },
  });
  assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
  return result.config;
}

/** What is written (the console's audit records: no OTLP endpoint here; the log), kept off stdout. */
function captured(): { stream: Writable; lines(): string[] } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, lines: () => text.split("\n").filter((l) => l !== "") };
}

test("one server down: the other is polled, vbo_up tells them apart, the exporter is ready", async () => {
  const simulator = await startSimulator({ apiVersion: "v8", port: 0, historySessions: 10 });
  const dir = mkdtempSync(join(tmpdir(), "vbo-main-"));
  const records = captured();
  const exporter = await startExporter({
    consoleRecords: records.stream,
    config: config(
      `web: { listenAddress: "127.0.0.1:0" }
state: { dir: ./state }
servers:
  - { name: lab, url: "${simulator.url}", username: "${simulator.username}", password: "${simulator.password}", pollInterval: 1s, timeout: 2s }
  - { name: gone, url: "http://127.0.0.1:1", username: u, password: p, pollInterval: 1s, timeout: 2s }
`,
      dir,
    ),
    logger: silentLogger(),
    version: "0.0.0-test",
  });
  try {
    await eventually(async () => (exporter.ready().ready ? true : undefined), 10_000, "ready");
    const body = await eventually(
      async () => {
        const text = (await get(`${exporter.url}metrics`)).body;
        return /^vbo_up\{server="lab"\} 1$/m.test(text) ? text : undefined;
      },
      10_000,
      "vbo_up of lab",
    );
    assert.match(body, /^vbo_up\{server="gone"\} 0$/m);
    assert.equal((await get(`${exporter.url}readyz`)).status, 200);
    const landing = (await get(exporter.url)).body;
    assert.match(landing, /<td>gone<\/td>.*class="down"/s);
    // The audit records of the server that answers reach the console; none claim the other.
    await eventually(
      async () => (records.lines().some((l) => l.includes(" [lab] ")) ? true : undefined),
      10_000,
      "lab's audit records on the console",
    );
    assert.equal(
      records.lines().some((l) => l.includes(" [gone] ")),
      false,
    );
  } finally {
    await exporter.stop();
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("sharding: a replica polls exactly the servers whose hash falls on its index", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vbo-shard-"));
  const names = ["a", "b", "c", "d", "e", "f"];
  const servers = names
    .map(
      (n) =>
        `  - { name: ${n}, url: "http://127.0.0.1:1", username: u, password: p, pollInterval: 1h }`,
    )
    .join("\n");
  try {
    for (const index of [0, 1]) {
      const exporter = await startExporter({
        consoleRecords: captured().stream,
        config: config(
          `web: { listenAddress: "127.0.0.1:0" }\nstate: { dir: ./s${index} }\nsharding: { index: ${index}, count: 2 }\nservers:\n${servers}\n`,
          dir,
        ),
        logger: silentLogger(),
        version: "0.0.0-test",
      });
      try {
        assert.deepEqual(
          exporter.servers.map((s) => s.name),
          names.filter((n) => stableHash(n) % 2 === index),
        );
      } finally {
        await exporter.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("during a first backfill /readyz says how far it has read", async () => {
  const simulator = await startSimulator({
    apiVersion: "v8",
    port: 0,
    historySessions: 3000,
    ratePerMinute: 0,
    tokenThrottle: false,
    faults: { latencyMs: 5 },
  });
  const dir = mkdtempSync(join(tmpdir(), "vbo-main-"));
  const exporter = await startExporter({
    consoleRecords: captured().stream,
    config: config(
      `web: { listenAddress: "127.0.0.1:0" }
state: { dir: ./state }
servers:
  - { name: lab, url: "${simulator.url}", username: "${simulator.username}", password: "${simulator.password}", pollInterval: 1s }
`,
      dir,
    ),
    logger: silentLogger(),
    version: "0.0.0-test",
  });
  try {
    const waiting = await eventually(
      async () => {
        const answer = await get(`${exporter.url}readyz`);
        return answer.status === 503 && /% read/.test(answer.body) ? answer.body : undefined;
      },
      10_000,
      "a readiness answer with progress",
    );
    assert.match(
      waiting,
      /waiting for the first poll of lab \((\d|[1-9]\d|100)% read, up to \d{4}-\d\d-\d\dT[\d:.]+Z\)/,
    );
  } finally {
    await exporter.stop();
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("at start, one organization mapped by id and by name to two tenants is one warning naming both", async () => {
  const simulator = await startSimulator({
    apiVersion: "v8",
    port: 0,
    historySessions: 0,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  const [org, other] = simulator.world.organizations();
  assert.ok(org && other);
  const dir = mkdtempSync(join(tmpdir(), "vbo-main-"));
  const log = captured();
  const exporter = await startExporter({
    consoleRecords: captured().stream,
    config: config(
      `web: { listenAddress: "127.0.0.1:0" }
state: { dir: ./state }
servers:
  - { name: lab, url: "${simulator.url}", username: "${simulator.username}", password: "${simulator.password}", pollInterval: 1h }
logs:
  tenants:
    organizations:
      ${JSON.stringify(org.id)}: fab2
      ${JSON.stringify(org.name)}: fabrikam
      ${JSON.stringify(other.name)}: other
`,
      dir,
    ),
    logger: createLogger("info", log.stream),
    version: "0.0.0-test",
  });
  try {
    const line = await eventually(
      async () => log.lines().find((l) => l.includes("name the same organization")),
      10_000,
      "the split-mapping warning",
    );
    const entry = JSON.parse(line) as { level: number; msg: string };
    assert.equal(entry.level, 40, "a warning");
    assert.ok(entry.msg.includes(org.id) && entry.msg.includes('(tenant "fab2")'), entry.msg);
    assert.ok(entry.msg.includes('(tenant "fabrikam")'), entry.msg);
    assert.equal(log.lines().filter((l) => l.includes("name the same organization")).length, 1);
  } finally {
    await exporter.stop();
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
