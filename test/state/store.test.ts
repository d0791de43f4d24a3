// The state file: created when missing, refused with a clear, actionable error when corrupt or foreign,
// and every batch all-or-nothing when a sink fails inside the transaction.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import type { PollResult } from "../../src/pipeline/types.ts";
import { StateFileError } from "../../src/state/errors.ts";
import { openStateStore, STATE_FILE_NAME, type StateTransaction } from "../../src/state/store.ts";
import type { RestoreEvent, RestoreSession } from "../../src/vbo/types.ts";
import { readNumber, setSchemaVersion, tamper } from "./fixtures/old-state.ts";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "vbo-store-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const ts = (text: string) => ({ ns: BigInt(Date.parse(text)) * 1_000_000n, text });

function session(id: string, state = "Stopped"): RestoreSession {
  return {
    id,
    name: "Exchange restore",
    organization: 'Müller, "Bau" GmbH',
    type: "Vex",
    creationTime: ts("2026-03-16T10:00:00Z"),
    endTime: state === "Stopped" ? ts("2026-03-16T10:05:00Z") : null,
    state,
    result: "Success",
    initiatedBy: "jdoe@example.com",
    details: null,
    scopeName: null,
    clientHost: "BXYDEV01 (via: 203.0.113.10)",
    reason: null,
    eTag: null,
  };
}

function event(id: string, sessionId: string): RestoreEvent {
  return {
    id,
    sessionId,
    type: "Save",
    status: "Success",
    startTime: ts("2026-03-16T10:01:00Z"),
    endTime: null,
    durationText: null,
    durationSeconds: null,
    title: null,
    message: "saved",
    order: 1,
    itemName: "Q1.xlsx",
    itemType: "Item",
    itemSizeBytes: 1234,
    source: null,
    target: null,
    organizationId: null,
    backedUpOrganizationId: null,
    userId: null,
    groupId: null,
    siteId: null,
    teamId: null,
  };
}

function poll(sessions: RestoreSession[], events: RestoreEvent[]): PollResult {
  return {
    server: "lab",
    observedAtNs: 1n,
    newSessions: sessions,
    updatedSessions: [],
    finishedSessions: sessions.filter((s) => s.state === "Stopped"),
    newEvents: events.map((e) => ({
      session: sessions.find((s) => s.id === e.sessionId) ?? (sessions[0] as RestoreSession),
      event: e,
    })),
  };
}

test("a foreign SQLite file and a corrupt file are refused with the file name and the way out", (t) => {
  const dir = tempDir(t);
  const foreign = new DatabaseSync(join(dir, STATE_FILE_NAME));
  foreign.exec("CREATE TABLE invoices (id INTEGER)");
  foreign.close();
  assert.throws(
    () => openStateStore({ dir }),
    (error: unknown) =>
      error instanceof StateFileError &&
      error.message.includes(join(dir, STATE_FILE_NAME)) &&
      /another program/.test(error.message) &&
      /Move the file away/.test(error.message),
  );
  const corruptDir = tempDir(t);
  writeFileSync(
    join(corruptDir, STATE_FILE_NAME),
    "this is not a database, just text ".repeat(200),
  );
  assert.throws(
    () => openStateStore({ dir: corruptDir }),
    (error: unknown) =>
      error instanceof StateFileError && /not a usable state database/.test(error.message),
  );
});

test("a batch commits with its events and counters, or not at all when a sink throws", (t) => {
  const dir = tempDir(t);
  const store = openStateStore({ dir });
  t.after(() => store.close());
  const failing = {
    writeInTransaction: () => {
      throw new Error("outbox full");
    },
  };
  assert.throws(
    () => store.commitPoll(poll([session("a")], [event("e1", "a")]), [failing]),
    /outbox full/,
  );
  assert.equal(store.knownSessionIds("lab", ["a"]).size, 0, "rolled back");
  assert.equal(store.counterRows().length, 0);

  const seen: number[] = [];
  const counting = {
    writeInTransaction: (_tx: StateTransaction, batch: PollResult) =>
      void seen.push(batch.newEvents.length),
  };
  const counts = store.commitPoll(
    poll([session("a"), session("b", "Working")], [event("e1", "a"), event("e2", "b")]),
    [counting],
    undefined,
    1000,
  );
  assert.deepEqual(seen, [2]);
  assert.equal(store.knownSessionIds("lab", ["a", "b", "c"]).size, 2);
  assert.deepEqual([...store.seenEventIds("lab", "b")], ["e2"], "a running session's events");
  assert.deepEqual([...store.seenEventIds("lab", "a")], [], "a finished session's are dropped");
  assert.deepEqual(store.serverState("lab"), {
    cursorMs: 1000,
    runningSessionIds: ["b"],
    runningSince: new Map([["b", Date.parse("2026-03-16T10:00:00Z")]]),
  });
  const sessions = counts.counters.find((c) => c.metric === "vbo_restore_sessions_total");
  assert.deepEqual(sessions?.labels, ["lab", 'Müller, "Bau" GmbH', "exchange", "BXYDEV01"]);
  assert.equal(sessions?.value, 2);
  assert.equal(counts.durations[0]?.seconds, 300);
  assert.throws(
    () => store.commitPoll(poll([session("a")], []), []),
    /already committed/,
    "a session is never inserted twice",
  );
  const recent = store.recentSessions(5);
  assert.equal(recent.length, 2);
  assert.equal(recent.find((r) => r.id === "a")?.eventCount, 1);
});

test("the cursor only moves forward with data, and back only when pulled back explicitly", (t) => {
  const store = openStateStore({ dir: tempDir(t) });
  t.after(() => store.close());
  assert.equal(store.pullCursorBack("lab", 10), false, "no cursor yet: nothing to move");
  store.commitPoll(poll([session("a")], []), [], undefined, 5_000);
  store.commitPoll(poll([], []), [], undefined, 4_000);
  assert.equal(store.serverState("lab").cursorMs, 5_000, "a commit never moves it back");
  assert.equal(store.pullCursorBack("lab", 6_000), false, "pulling back never moves it forward");
  assert.equal(store.pullCursorBack("lab", 3_000.7), true);
  assert.equal(store.serverState("lab").cursorMs, 3_000);
});

test("reopening keeps everything; a newer schema is refused", (t) => {
  const dir = tempDir(t);
  const store = openStateStore({ dir });
  store.commitPoll(poll([session("a")], [event("e1", "a")]), [], undefined, 5);
  store.close();
  const again = openStateStore({ dir });
  assert.equal(again.serverState("lab").cursorMs, 5);
  assert.ok(again.counterRows().length > 0);
  again.close();
  setSchemaVersion(join(dir, STATE_FILE_NAME), 99);
  assert.throws(() => openStateStore({ dir }), /newer version/);
});

test("event ids are kept only while their session runs, and a schema-1 file is cleaned on open", (t) => {
  const dir = tempDir(t);
  const store = openStateStore({ dir });
  const running = session("r", "Working");
  store.commitPoll(poll([running], [event("e1", "r"), event("e2", "r")]), []);
  assert.equal(store.seenEventIds("lab", "r").size, 2);
  const stopped = { ...session("r"), id: "r" };
  store.commitPoll(
    {
      server: "lab",
      observedAtNs: 2n,
      newSessions: [],
      updatedSessions: [],
      finishedSessions: [stopped],
      newEvents: [{ session: stopped, event: event("e3", "r") }],
    },
    [],
  );
  const file = join(dir, STATE_FILE_NAME);
  const rows = (sql: string) => readNumber(file, sql);
  assert.equal(rows("SELECT count(*) AS n FROM seen_events"), 0, "dropped when it finished");
  assert.equal(store.recentSessions(1)[0]?.eventCount, 3, "the session keeps its event count");
  const events = store
    .counterRows()
    .filter((r) => r.metric === "vbo_restore_events_total")
    .reduce((sum, r) => sum + r.value, 0);
  assert.equal(events, 3);

  // A running session the server no longer has: forgotten with its event ids.
  store.commitPoll(poll([session("gone", "Working")], [event("g1", "gone")]), []);
  store.forgetRunning("lab", "gone");
  assert.equal(rows("SELECT count(*) AS n FROM seen_events"), 0);
  assert.deepEqual(store.serverState("lab").runningSessionIds, []);

  // What schema 1 left behind: event ids of finished sessions (and no outbox tables of the
  // later schemas). Opening migrates them away and keeps the running session's.
  store.commitPoll(poll([session("w", "Working")], [event("w1", "w")]), []);
  store.close();
  tamper(
    file,
    `INSERT INTO seen_events (server, session_id, event_id) VALUES ('lab', 'r', 'e1'), ('lab', 'r', 'e2');
     DROP TABLE log_chunks; DROP TABLE log_totals; DROP TABLE log_dead_letter;`,
  );
  setSchemaVersion(file, 1);
  const reopened = openStateStore({ dir });
  t.after(() => reopened.close());
  assert.equal(rows("SELECT value FROM meta WHERE key = 'schema_version'"), 8);
  assert.deepEqual([...reopened.seenEventIds("lab", "r")], []);
  assert.deepEqual([...reopened.seenEventIds("lab", "w")], ["w1"]);
});

test("an empty (0-byte) state file is refused with what happened and the ways out; a new one is whole", (t) => {
  const dir = tempDir(t);
  const file = join(dir, STATE_FILE_NAME);
  writeFileSync(file, "");
  assert.throws(
    () => openStateStore({ dir }),
    (error: unknown) =>
      error instanceof StateFileError &&
      error.message.startsWith(`${file}: is empty (0 bytes)`) &&
      /every counter would restart from 0/.test(error.message) &&
      /Restore a backup/.test(error.message) &&
      /move the file away/.test(error.message),
  );
  assert.equal(statSync(file).size, 0, "the file is left as it was");

  // A state file the exporter creates is complete once it has its name: never an empty one.
  const fresh = tempDir(t);
  openStateStore({ dir: fresh }).close();
  assert.deepEqual(readdirSync(fresh), [STATE_FILE_NAME]);
  assert.ok(statSync(join(fresh, STATE_FILE_NAME)).size > 0);
  assert.equal(
    readNumber(join(fresh, STATE_FILE_NAME), "SELECT value FROM meta WHERE key = 'schema_version'"),
    8,
  );
});

test("a large session committed in several batches: stored running, then updated, then finished once", (t) => {
  const dir = tempDir(t);
  const store = openStateStore({ dir });
  t.after(() => store.close());
  const running = session("big", "Working");
  const stopped = session("big");
  const events = Array.from({ length: 7 }, (_, i) => event(`e${i}`, "big"));
  const batch = (
    lists: Pick<PollResult, "newSessions" | "updatedSessions" | "finishedSessions">,
    of: RestoreEvent[],
    owner: RestoreSession,
  ): PollResult => ({
    server: "lab",
    observedAtNs: 1n,
    ...lists,
    newEvents: of.map((e) => ({ session: owner, event: e })),
  });
  const sum = (metric: string) =>
    store
      .counterRows()
      .filter((r) => r.metric === metric)
      .reduce((a, r) => a + r.value, 0);

  store.commitPoll(
    batch(
      { newSessions: [running], updatedSessions: [], finishedSessions: [] },
      events.slice(0, 3),
      running,
    ),
    [],
  );
  assert.deepEqual(store.serverState("lab").runningSessionIds, ["big"]);
  assert.equal(store.seenEventIds("lab", "big").size, 3);
  assert.equal(sum("vbo_restore_sessions_total"), 1);
  assert.equal(sum("vbo_restore_events_total"), 3);

  store.commitPoll(
    batch(
      { newSessions: [], updatedSessions: [running], finishedSessions: [] },
      events.slice(3, 6),
      running,
    ),
    [],
  );
  assert.deepEqual(store.serverState("lab").runningSessionIds, ["big"]);
  assert.deepEqual([...(store.seenEventIdsOf("lab", ["big", "other"]).get("big") ?? [])].sort(), [
    "e0",
    "e1",
    "e2",
    "e3",
    "e4",
    "e5",
  ]);
  assert.deepEqual([...(store.seenEventIdsOf("lab", ["other"]).get("other") ?? ["?"])], []);
  assert.throws(
    () =>
      store.commitPoll(
        batch(
          { newSessions: [], updatedSessions: [running], finishedSessions: [] },
          [event("e4", "big")],
          running,
        ),
        [],
      ),
    /event e4 of session big is already committed/,
  );
  assert.throws(
    () =>
      store.commitPoll(
        batch(
          { newSessions: [], updatedSessions: [], finishedSessions: [stopped] },
          [event("e1", "big")],
          stopped,
        ),
        [],
      ),
    /event e1 of session big is already committed/,
    "a finishing session's events are checked against the ids it had",
  );

  const counts = store.commitPoll(
    batch(
      { newSessions: [], updatedSessions: [], finishedSessions: [stopped] },
      events.slice(6),
      stopped,
    ),
    [],
  );
  assert.deepEqual(store.serverState("lab").runningSessionIds, []);
  assert.equal(store.seenEventIds("lab", "big").size, 0, "dropped when it finished");
  assert.equal(sum("vbo_restore_sessions_total"), 1, "counted once");
  assert.equal(sum("vbo_restore_sessions_finished_total"), 1);
  assert.equal(sum("vbo_restore_events_total"), 7);
  assert.equal(counts.durations[0]?.seconds, 300);
  assert.deepEqual(store.totals(), { sessions: 1, events: 7 });
  const recent = store.recentSessions(1)[0];
  assert.equal(recent?.eventCount, 7);
  assert.equal(recent?.state, "Stopped");
  assert.deepEqual(
    [...store.durationRows()].map((r) => r.seconds),
    [300],
  );
});

test("transaction(fn): all or nothing, after-commit callbacks only on commit, no nesting, no stale handle", (t) => {
  const store = openStateStore({ dir: tempDir(t) });
  t.after(() => store.close());
  const chunk = {
    destination: "default",
    oldestNs: 1_000_000n,
    newestNs: 2_000_000n,
    recordCount: 3,
    contentType: "application/x-protobuf",
    contentEncoding: "",
    body: new Uint8Array([1, 2, 3]),
  };
  const ran: string[] = [];
  assert.throws(
    () =>
      store.transaction((tx) => {
        tx.outbox.addChunks([chunk], 5);
        tx.afterCommit(() => ran.push("rolled back"));
        assert.equal(tx.outbox.pendingRecords(), 3, "visible inside");
        throw new Error("refused");
      }),
    /refused/,
  );
  assert.equal(store.outbox.pendingRecords(), 0);
  assert.equal(ran.length, 0, "no after-commit callback on a rollback");

  let kept: Parameters<Parameters<typeof store.transaction>[0]>[0] | null = null;
  const id = store.transaction((tx) => {
    kept = tx;
    tx.outbox.addChunks([chunk, { ...chunk, oldestNs: 500_000n }], 5);
    tx.afterCommit(() => ran.push("committed"));
    assert.throws(() => store.transaction(() => 0), /do not nest/);
    return tx.outbox.nextChunk("default")?.id;
  });
  assert.deepEqual(ran, ["committed"]);
  assert.equal(store.outbox.pendingRecords(), 6, "records, not chunks");
  assert.equal(store.outbox.oldestEnqueuedAtMs(), 5);
  const next = store.outbox.nextChunk("default");
  assert.equal(next?.id, id);
  assert.equal(next?.oldestMs, 0, "the chunk with the oldest record first");
  assert.deepEqual([...(next?.body ?? [])], [1, 2, 3]);
  assert.throws(() => kept?.outbox.pendingRecords(), /transaction is over/);
  store.transaction((tx) => tx.outbox.removeChunk(next?.id ?? -1));
  assert.equal(store.outbox.pendingRecords(), 3);

  // A failing after-commit step does not make the committed work look failed.
  const after: string[] = [];
  store.transaction((tx) => {
    tx.outbox.removeChunk(store.outbox.nextChunk("default")?.id ?? -1);
    tx.afterCommit(() => {
      throw new Error("metrics broke");
    });
    tx.afterCommit(() => after.push("still ran"));
  });
  assert.deepEqual(after, ["still ran"]);
  assert.equal(store.outbox.pendingRecords(), 0);
});
