// The quarantine's grace of records whose session ended: a schema-6 file's rows are kept when it
// is opened (migrated to 8), the reads and the time since the session ended survive a reopen, a
// given-up record stays open and is counted once per session, and the migration can run again.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openStateStore, STATE_FILE_NAME } from "../../src/state/store.ts";
import type { UnreadableRecord } from "../../src/vbo/unreadable.ts";
import { readNumber, setSchemaVersion, tamper } from "./fixtures/old-state.ts";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "vbo-grace-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The quarantine table as schema version 6 created it, written by hand. */
const VERSION_6_QUARANTINE = `
DROP TABLE quarantine;
CREATE TABLE quarantine (
  server TEXT NOT NULL, kind TEXT NOT NULL, record_key TEXT NOT NULL, record_id TEXT,
  session_id TEXT, reason TEXT NOT NULL, field TEXT, message TEXT NOT NULL, raw TEXT NOT NULL,
  first_seen_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL, resolved_at_ms INTEGER,
  PRIMARY KEY (server, kind, record_key)
) WITHOUT ROWID;
CREATE INDEX quarantine_open ON quarantine (server, session_id) WHERE resolved_at_ms IS NULL;
INSERT INTO quarantine VALUES
  ('lab', 'event', 's1/@3', NULL, 's1', 'missing_field', 'id', 'id is null', '{"id":null}', 100, 200, NULL),
  ('lab', 'event', 's1/e7', 'e7', 's1', 'bad_timestamp', 'startTime', 'bad', '{"id":"e7"}', 100, 200, NULL),
  ('lab', 'session', 's0', 's0', 's0', 'missing_field', 'creationTime', 'null', '{}', 50, 60, 70);
`;

/** The record of the first row, as a later read reports it again. */
const nullId: UnreadableRecord = {
  kind: "event",
  recordId: null,
  sessionId: "s1",
  position: 3,
  reason: "missing_field",
  field: "id",
  message: "id is null",
  raw: '{"id":null}',
};

test("a schema-6 quarantine is kept on open; the grace survives a reopen; given up stays open", (t) => {
  const dir = tempDir(t);
  const file = join(dir, STATE_FILE_NAME);
  openStateStore({ dir }).close();
  tamper(file, VERSION_6_QUARANTINE);
  setSchemaVersion(file, 6);

  let store = openStateStore({ dir });
  assert.equal(readNumber(file, "SELECT value FROM meta WHERE key = 'schema_version'"), 8);
  const open = store.quarantine.open("lab");
  assert.deepEqual(
    open.map((r) => [r.key, r.endedReads, r.endedSeenMs, r.givenUpAtMs, r.lastSeenMs]),
    [
      ["s1/@3", 0, null, null, 200],
      ["s1/e7", 0, null, null, 200],
    ],
  );
  assert.equal(store.quarantine.list({ all: true, limit: 10 }).length, 3, "resolved kept too");

  // Read with the session ended: one read, from now on.
  assert.deepEqual(store.quarantine.readAfterEnd("lab", [nullId], 1_000), [
    { endedReads: 1, endedSeenMs: 1_000 },
  ]);
  store.close();
  store = openStateStore({ dir });
  t.after(() => store.close());
  // After a restart the count goes on and the time is still counted from the first such read.
  assert.deepEqual(store.quarantine.readAfterEnd("lab", [nullId], 5_000), [
    { endedReads: 2, endedSeenMs: 1_000 },
  ]);
  // A record that is not quarantined has no grace.
  assert.deepEqual(store.quarantine.readAfterEnd("lab", [{ ...nullId, position: 9 }], 5_000), []);

  // Given up: the record still unreadable stays open, marked; the one taken meanwhile is resolved.
  assert.equal(store.quarantine.giveUp("lab", "s1", [nullId], 9_000), 1);
  const after = store.quarantine.list({ all: true, limit: 10 });
  const row = (key: string) => after.find((r) => r.key === key);
  assert.equal(row("s1/@3")?.resolvedAtMs, null);
  assert.equal(row("s1/@3")?.givenUpAtMs, 9_000);
  assert.equal(row("s1/e7")?.resolvedAtMs, 9_000);
  assert.equal(row("s1/e7")?.givenUpAtMs, null);
  assert.deepEqual(
    store.quarantine.open("lab").map((r) => r.key),
    ["s1/@3"],
  );
  assert.deepEqual(store.quarantine.givenUpCounts(), [{ server: "lab", sessions: 1 }]);
  // Given up twice (a poll whose commit did not happen, then the next one): counted once, the
  // first time kept.
  store.quarantine.giveUp("lab", "s1", [nullId], 12_000);
  assert.equal(store.quarantine.open("lab")[0]?.givenUpAtMs, 9_000);
  assert.deepEqual(store.quarantine.givenUpCounts(), [{ server: "lab", sessions: 1 }]);
  store.close();

  // The migration run again (the version set back) keeps every row.
  setSchemaVersion(file, 6);
  store = openStateStore({ dir });
  assert.equal(store.quarantine.list({ all: true, limit: 10 }).length, 3);
});
