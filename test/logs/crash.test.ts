// Crash safety: the exporter is killed with SIGKILL while a batch is in flight; after a restart
// every record arrives, and the only duplicates are byte-identical re-sends of unacknowledged ones.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  type OtlpReceiver,
  type ReceivedRecord,
  startOtlpReceiver,
  stringAttribute,
} from "../helpers/otlp-receiver.ts";
import { until } from "./fixtures/harness.ts";

const CHILD = fileURLToPath(new URL("./fixtures/crash-child.ts", import.meta.url));

function run(args: string[]): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

let receiver: OtlpReceiver;
let dir: string;

before(async () => {
  receiver = await startOtlpReceiver();
  dir = mkdtempSync(join(tmpdir(), "vbo-logs-crash-"));
});
after(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

test("SIGKILL mid-send, restart: nothing lost, duplicates only byte-identical", async () => {
  const stateDir = join(dir, "state");
  // Two batches are acknowledged; the third reaches the receiver, is stored, and never answered.
  receiver.respond((request) =>
    receiver.requests.length >= 3 ? { status: 200, store: request.records, hang: true } : null,
  );
  const first = run([stateDir, receiver.url, "fill"]);
  await until(() => receiver.requests.length >= 3, 15_000, `the third request (${first.output()})`);
  assert.match(first.output(), /filled 50/);
  first.child.kill("SIGKILL");
  await first.exited;

  receiver.respond(null);
  const second = run([stateDir, receiver.url, "drain"]);
  assert.equal(await second.exited, 0, second.output());
  // The third batch (10 records) was never acknowledged, so it is sent again; the two acknowledged
  // batches are not.
  assert.match(second.output(), /drained 30/);

  const firstCopy = new Map<string, ReceivedRecord>();
  let duplicates = 0;
  for (const record of receiver.stored) {
    const id = stringAttribute(record, "vbo.event.id") ?? "?";
    const earlier = firstCopy.get(id);
    if (earlier) {
      duplicates += 1;
      assert.deepEqual(record, earlier, `the re-sent copy of ${id} is identical`);
    } else firstCopy.set(id, record);
  }
  assert.equal(firstCopy.size, 50, "every record arrived");
  assert.equal(duplicates, 10, "only the unacknowledged batch was sent twice");
  // The re-sent request body decodes to exactly the records of the unacknowledged one.
  assert.deepEqual(receiver.requests[3]?.records, receiver.requests[2]?.records);
  // ... and is byte for byte the same request on the wire.
  assert.ok(receiver.requests[3]?.raw.equals(receiver.requests[2]?.raw ?? Buffer.alloc(0)));
});
