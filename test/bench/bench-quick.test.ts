// The benchmark harness works end to end (`npm run bench -- --quick`): every run completes, every
// record the simulator's own truth calls for arrives exactly once, and every row is printed.
// Timings are not asserted: benchmarks measure speed, tests do not.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const bench = fileURLToPath(new URL("../../bench/run.ts", import.meta.url));

interface Output {
  command: string;
  machine: { nproc: number; node: string; memoryGb: number };
  rows: {
    id: string;
    measured: string;
    target: string;
    mark: string;
    values: Record<string, unknown>;
  }[];
  runs: Record<string, Record<string, unknown>>;
}

interface BackfillRun {
  truth: { sessions: number; events: number; running: number; records: { count: number } };
  floor: { sessions: number; events: number };
  received: { distinct: number; duplicates: number; matchesTruth: boolean };
  outboxAfter: number;
  exitCode: number;
  peakRssBytes: number;
  stateBytes: number;
}

function runQuick(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bench, "--quick", "--json"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

test("npm run bench -- --quick runs every measurement and delivers every record once", {
  timeout: 120_000,
}, async () => {
  const { code, stdout, stderr } = await runQuick();
  assert.equal(code, 0, `the benchmark failed:\n${stderr}\n${stdout.slice(-2000)}`);
  const output = JSON.parse(stdout) as Output;
  assert.match(output.command, /--quick/);
  assert.ok(output.machine.nproc >= 1 && output.machine.node.startsWith("v"));

  const ids = output.rows.map((r) => r.id);
  for (const id of [
    "backfill-300",
    "throughput-300",
    "rss-300",
    "state-300",
    "scrape-p99",
    "big",
    "rss-big",
    "state-big",
    "idle-v8",
    "idle-v7",
    "idle-v6",
    "detection",
    "delivery",
  ]) {
    assert.ok(ids.includes(id), `row ${id} is missing from ${ids.join(", ")}`);
  }
  for (const row of output.rows) {
    assert.notEqual(row.measured, "", `row ${row.id} has no result`);
    assert.ok(["pass", "miss", "info"].includes(row.mark), `row ${row.id}: mark ${row.mark}`);
  }

  const expected: Record<string, { sessions: number; events: number }> = {
    "backfill-300": { sessions: 300, events: 0 },
    big: { sessions: 2, events: 2 * 2002 },
  };
  for (const [name, shape] of Object.entries(expected)) {
    const run = output.runs[name] as unknown as BackfillRun;
    assert.equal(run.truth.sessions, shape.sessions, `${name}: sessions in the simulator`);
    if (shape.events > 0) assert.equal(run.truth.events, shape.events, `${name}: events`);
    assert.equal(run.truth.running, 0, `${name}: the history has stopped`);
    // The floor read the same pages over HTTP and found the simulator's truth.
    assert.equal(run.floor.sessions, run.truth.sessions, `${name}: floor sessions`);
    assert.equal(run.floor.events, run.truth.events, `${name}: floor events`);
    // One record per event and one per stopped session, each received once.
    assert.equal(run.truth.records.count, run.truth.events + run.truth.sessions);
    assert.equal(run.received.distinct, run.truth.records.count, `${name}: records received`);
    assert.equal(run.received.duplicates, 0, `${name}: duplicates`);
    assert.ok(run.received.matchesTruth, `${name}: the received identities are the simulator's`);
    assert.equal(run.outboxAfter, 0, `${name}: /metrics shows an empty outbox`);
    assert.equal(run.exitCode, 0, `${name}: the exporter stopped cleanly on SIGTERM`);
    assert.ok(run.peakRssBytes > 10e6, `${name}: peak RSS read from /proc`);
    assert.ok(run.stateBytes > 0, `${name}: state database measured`);
  }
  for (const version of ["v8", "v7", "v6"]) {
    const run = output.runs[`idle-${version}`] as {
      running: number;
      polls: number;
      requestsPerPoll: number;
    };
    assert.equal(run.running, 100, `idle-${version}: Working sessions in the simulator`);
    assert.ok(run.polls >= 1, `idle-${version}: idle polls counted from /metrics`);
    assert.ok(Number.isFinite(run.requestsPerPoll), `idle-${version}: requests per poll`);
  }
  const delivery = output.rows.find((r) => r.id === "delivery");
  assert.equal(delivery?.mark, "pass");
});
