// SIGKILL at moments spread over a large backfill, then restart: the counters equal the ground
// truth exactly — nothing counted twice, nothing missed — and continue from the stored values.
// The kill points are progress the child has committed, not times, so a slow machine moves them
// nowhere: one kill before anything is stored, the others at rising session counts.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { STATE_FILE_NAME } from "../../src/state/store.ts";
import { startCore } from "../helpers/exporter-core.ts";
import { actual, assertMatchesTruth, truthAt } from "../helpers/truth.ts";

const child = new URL("./fixtures/backfill-child.ts", import.meta.url).pathname;

/** Sessions committed to the state file so far (0 while it or its tables do not exist yet). */
function committedSessions(dir: string): number {
  try {
    const db = new DatabaseSync(join(dir, STATE_FILE_NAME), { readOnly: true });
    try {
      const row = db.prepare("SELECT count(*) AS n FROM sessions").get() as { n: number };
      return row.n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

/** Runs the child and SIGKILLs it once it has started and committed at least `atSessions`. */
function runAndKill(args: string[], dir: string, atSessions: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    proc.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    const watch = setInterval(() => {
      if (out.includes("started\n") && committedSessions(dir) >= atSessions) {
        clearInterval(watch);
        proc.kill("SIGKILL");
      }
    }, 5);
    proc.once("exit", (code, signal) => {
      clearInterval(watch);
      if (signal === "SIGKILL") resolve();
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

test("SIGKILL during a backfill, restart: no double count, nothing missed", {
  timeout: 120_000,
}, async (t) => {
  // The simulated world stands still, so the truth is exact for every metric, running ones too.
  const frozenAt = Date.now();
  const sim = await startSimulator({
    clock: () => frozenAt,
    apiVersion: "v8",
    historySessions: 4000,
    historyDays: 5,
    ratePerMinute: 0,
    tokenThrottle: false,
    maxPageSize: 500,
    faults: { latencyMs: 4 },
  });
  const dir = mkdtempSync(join(tmpdir(), "vbo-crash-"));
  t.after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const args = [sim.url, sim.username, sim.password, dir];
  // Kill points spread from "just started" to "well into the backfill" (committed sessions).
  for (const atSessions of [0, 100, 400, 900, 1600]) await runAndKill(args, dir, atSessions);

  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    dir,
  });
  t.after(() => core.close());
  const before = await actual(core.registry, "vbo_restore_sessions_total");
  const hydrated = [...before.values()].reduce((a, b) => a + b, 0);
  assert.ok(
    hydrated > 0 && hydrated < 4000,
    `killed part-way (${hydrated} of 4000 sessions committed before the last restart)`,
  );
  await core.poller().pollOnce();
  assert.equal(core.poller().status().up, true);
  const truth = truthAt(sim, "lab", frozenAt);
  assert.equal(truth.sessionCount, 4000);
  await assertMatchesTruth(core.registry, truth);
});
