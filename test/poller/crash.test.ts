// SIGKILL at random moments during a large backfill, then restart: the counters equal the ground
// truth exactly — nothing counted twice, nothing missed — and continue from the stored values.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { startCore } from "../helpers/exporter-core.ts";
import { actual, assertMatchesTruth, truthAt } from "../helpers/truth.ts";

const child = new URL("./fixtures/backfill-child.ts", import.meta.url).pathname;

function runAndKill(args: string[], afterMs: number): Promise<string> {
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
    // Timed from the child's "started" (its core is up), not from the spawn: on a busy machine
    // loading the code alone can take longer than the kill points.
    let timer: NodeJS.Timeout | undefined;
    proc.stdout.once("data", () => {
      timer = setTimeout(() => proc.kill("SIGKILL"), afterMs);
    });
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") resolve(out);
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
  // Kill points spread from "just started" to "well into the backfill".
  for (const afterMs of [400, 650, 900, 1150, 1400]) await runAndKill(args, afterMs);

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
