// The exporter killed (SIGKILL) between a chunk's commit and its acknowledgement: the receiver has
// stored the request and not answered. After a restart every record arrives, the unacknowledged
// chunk is sent again byte for byte, none is lost, and the counters equal the ground truth.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { startCore } from "../helpers/exporter-core.ts";
import {
  type ReceivedRecord,
  startOtlpReceiver,
  stringAttribute,
} from "../helpers/otlp-receiver.ts";
import { assertMatchesTruth, truthAt } from "../helpers/truth.ts";
import { until } from "./fixtures/harness.ts";

const child = new URL("./fixtures/exporter-crash-child.ts", import.meta.url).pathname;

function run(args: string[]) {
  const proc = spawn(process.execPath, [child, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout.on("data", (c: Buffer) => {
    output += c.toString();
  });
  proc.stderr.on("data", (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    proc.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { proc, output: () => output, exited };
}

/** The identity of a record as Loki would see a duplicate: its event, or its session's end. */
function identity(record: ReceivedRecord): string {
  return record.eventName === "vbo.restore.session"
    ? `session:${stringAttribute(record, "vbo.session.id")}`
    : `event:${stringAttribute(record, "vbo.session.id")}:${stringAttribute(record, "vbo.event.id")}`;
}

test("SIGKILL between a chunk's commit and its acknowledgement: all arrive, re-sent identical, counted once", {
  timeout: 90_000,
}, async (t) => {
  const frozenAt = Date.now();
  const sim = await startSimulator({
    clock: () => frozenAt,
    apiVersion: "v8",
    historySessions: 600,
    historyDays: 5,
    ratePerMinute: 0,
    tokenThrottle: false,
    maxPageSize: 500,
  });
  const receiver = await startOtlpReceiver();
  const dir = mkdtempSync(join(tmpdir(), "vbo-exporter-crash-"));
  t.after(async () => {
    await receiver.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // Four requests are acknowledged; the fifth is stored by the receiver and never answered.
  receiver.respond((request) =>
    receiver.requests.length >= 5 ? { status: 200, store: request.records, hang: true } : null,
  );
  const args = [sim.url, sim.username, sim.password, dir, receiver.url];
  const first = run([...args, "fill"]);
  await until(() => receiver.requests.length >= 5, 30_000, `the fifth request (${first.output()})`);
  first.proc.kill("SIGKILL");
  assert.equal((await first.exited).signal, "SIGKILL");
  const unanswered = receiver.requests[4];
  assert.ok(unanswered);

  receiver.respond(null);
  const second = run([...args, "drain"]);
  assert.equal((await second.exited).code, 0, second.output());

  const truth = truthAt(sim, "lab", frozenAt);
  const finished = [...truth.finished.values()].reduce((a, b) => a + b, 0);
  const firstCopy = new Map<string, ReceivedRecord>();
  for (const record of receiver.stored) {
    const id = identity(record);
    const earlier = firstCopy.get(id);
    if (earlier) assert.deepEqual(record, earlier, `the re-sent copy of ${id} is identical`);
    else firstCopy.set(id, record);
  }
  assert.equal(firstCopy.size, truth.eventCount + finished, "every record arrived, none lost");
  const resent = receiver.requests.slice(5).filter((r) => r.raw.equals(unanswered.raw));
  assert.equal(resent.length, 1, "the unacknowledged chunk was sent again byte for byte, once");
  const acknowledged = new Set(receiver.requests.slice(0, 4).map((r) => r.raw.toString("base64")));
  assert.ok(
    receiver.requests.slice(5).every((r) => !acknowledged.has(r.raw.toString("base64"))),
    "acknowledged chunks are not sent again",
  );

  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    dir,
  });
  t.after(() => core.close());
  assert.equal(core.store.outbox.pendingRecords(), 0);
  await assertMatchesTruth(core.registry, truth);
});
