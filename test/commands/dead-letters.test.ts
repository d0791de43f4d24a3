// The dead-letters command against a real state directory: lists refused audit records by reason
// and moves them back into the outbox with --replay.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { encodeStoredRecord } from "../../src/logs/record-codec.ts";
import { type LogRecord, recordsFromPoll } from "../../src/logs/records.ts";
import { openStateStore } from "../../src/state/store.ts";
import { eventSeries, poll } from "../logs/fixtures/poll-data.ts";

const cli = new URL("../../src/cli.ts", import.meta.url).pathname;
const run = (...args: string[]) =>
  spawnSync(process.execPath, [cli, "dead-letters", ...args], { encoding: "utf8" });

test("dead-letters lists by reason and --replay moves them back into the outbox", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "vbo-dead-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = openStateStore({ dir });
  const records = recordsFromPoll(
    poll({ newEvents: eventSeries(3, Date.parse("2026-03-16T10:00:00Z")) }),
    {
      serviceVersion: "test",
      instanceId: "test",
    },
  );
  const refused = (record: LogRecord, reason: string, message: string) => ({
    destination: "default",
    recordKey: record.key,
    server: record.server,
    timeUnixNano: record.timeUnixNano,
    record: encodeStoredRecord(record),
    reason,
    status: 400,
    message,
  });
  store.transaction((tx) => {
    tx.outbox.addDeadLetters(
      records.slice(0, 2).map((r) => refused(r, "too_old", "entry too far behind")),
      0,
      1,
    );
    tx.outbox.addDeadLetters(
      records.slice(2).map((r) => refused(r, "bad_request", "invalid attribute")),
      0,
      2,
    );
  });
  store.close();

  const listed = run("--state-dir", dir);
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stdout, /3 dead letters/);
  assert.match(listed.stdout, /too_old: 2/);
  assert.match(listed.stdout, /bad_request: 1/);
  assert.match(listed.stdout, /entry too far behind/);

  const replayed = run("--state-dir", dir, "--replay", "--reason", "too_old");
  assert.equal(replayed.status, 0, replayed.stderr);
  assert.match(replayed.stdout, /moved 2 records back into the outbox/);
  const after = openStateStore({ dir });
  t.after(() => after.close());
  assert.equal(after.outbox.pendingRecords(), 2);
  assert.equal(after.outbox.deadLetterCount(), 1);
  assert.deepEqual(
    after.outbox.listDeadLetters(10).map((d) => d.reason),
    ["bad_request"],
  );

  const usage = run("--replay");
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /exactly one of --config FILE and --state-dir DIR/);
});

test("a state directory without a state file is an error, and nothing is created", (t) => {
  const parent = mkdtempSync(join(tmpdir(), "vbo-dead-"));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  const mistyped = join(parent, "stat");
  const byFlag = run("--state-dir", mistyped);
  assert.equal(byFlag.status, 1, byFlag.stdout);
  assert.equal(
    byFlag.stderr.trim(),
    `${join(mistyped, "state.sqlite")}: no state file there; give the state directory of the exporter`,
  );
  assert.equal(existsSync(mistyped), false, "no directory created");

  const empty = join(parent, "empty");
  mkdirSync(empty);
  const config = join(parent, "cfg.yml");
  writeFileSync(
    config,
    `servers:\n  - { name: lab, url: "https://vbo.example:4443", username: svc, password: pw }\nstate: { dir: ${JSON.stringify(empty)} }\n`,
  );
  const byConfig = run("--config", config);
  assert.equal(byConfig.status, 1, byConfig.stdout);
  assert.match(
    byConfig.stderr,
    new RegExp(`^${join(empty, "state\\.sqlite")}: no state file there`),
  );
  assert.deepEqual(readdirSync(empty), [], "no database created");
});

test("with --config, a dead letter stored with a secret in its message is printed without it", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "vbo-dead-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const token = "tok-61be0c9a7d";
  const store = openStateStore({ dir: join(dir, "state") });
  const records = recordsFromPoll(
    poll({ newEvents: eventSeries(1, Date.parse("2026-03-16T10:00:00Z")) }),
    { serviceVersion: "test", instanceId: "test" },
  );
  // Stored by an exporter that did not scrub yet.
  store.transaction((tx) => {
    tx.outbox.addDeadLetters(
      records.map((record) => ({
        destination: "default",
        recordKey: record.key,
        server: record.server,
        timeUnixNano: record.timeUnixNano,
        record: encodeStoredRecord(record),
        reason: "bad_request",
        status: 400,
        message: `HTTP 400: bad token Bearer ${token}`,
      })),
      0,
      1,
    );
  });
  store.close();
  const config = join(dir, "cfg.yml");
  writeFileSync(
    config,
    `servers:\n  - { name: lab, url: "https://vbo.example:4443", username: svc, password: pw-long-enough }\nstate: { dir: ./state }\nlogs:\n  otlp: { endpoint: "http://127.0.0.1:1/v1/logs", bearerToken: "${token}" }\n`,
  );
  const listed = run("--config", config);
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stdout, /HTTP 400: bad token Bearer \[redacted\]/);
  assert.ok(!listed.stdout.includes(token));
});

test("dead-letters lists each record's own time, session and event, oldest record first", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "vbo-dead-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = openStateStore({ dir });
  const context = { serviceVersion: "test", instanceId: "test" };
  const older = recordsFromPoll(
    poll({ newEvents: eventSeries(2, Date.parse("2026-03-16T10:00:00Z"), "s-old") }),
    context,
  );
  const newer = recordsFromPoll(
    poll({ newEvents: eventSeries(2, Date.parse("2026-03-17T08:30:00Z"), "s-new") }),
    context,
  );
  const letter = (record: LogRecord) => ({
    destination: "default",
    recordKey: record.key,
    server: record.server,
    timeUnixNano: record.timeUnixNano,
    record: encodeStoredRecord(record),
    reason: "bad_request",
    status: 400,
    message: "invalid attribute",
  });
  // Set aside newest first: the listing must not follow the order they were set aside in.
  store.transaction((tx) => {
    tx.outbox.addDeadLetters(
      [...newer].reverse().map(letter),
      0,
      Date.parse("2026-03-18T00:00:00Z"),
    );
    tx.outbox.addDeadLetters(
      [...older].reverse().map(letter),
      0,
      Date.parse("2026-03-18T00:05:00Z"),
    );
  });
  store.close();

  const listed = run("--state-dir", dir, "--limit", "3");
  assert.equal(listed.status, 0, listed.stderr);
  const rows = listed.stdout.split("\n").filter((line) => / session=/.test(line));
  // eventSeries: event i starts at start + i s, plus i ns.
  assert.deepEqual(
    rows.map((line) => line.trim().split(" ").slice(0, 3).join(" ")),
    [
      "2026-03-16T10:00:00Z session=s-old event=s-old-e00000",
      "2026-03-16T10:00:01.000000001Z session=s-old event=s-old-e00001",
      "2026-03-17T08:30:00Z session=s-new event=s-new-e00000",
    ],
  );
  assert.match(rows[0] ?? "", /dead-lettered=2026-03-18T00:05:00\.000Z invalid attribute$/);
  assert.match(rows[2] ?? "", /dead-lettered=2026-03-18T00:00:00\.000Z/);
});
