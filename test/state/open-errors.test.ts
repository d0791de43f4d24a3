// Why a state file cannot be used decides the advice: moving the file away only for a corrupt or
// foreign file, never for a read-only one, one of a newer version, or a directory that cannot exist.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { StateFileError } from "../../src/state/errors.ts";
import { openFailure } from "../../src/state/open-failure.ts";
import { openStateStore, STATE_FILE_NAME } from "../../src/state/store.ts";
import { setSchemaVersion } from "./fixtures/old-state.ts";

const MOVE_AWAY = /Move the file away/;
const store = new URL("../../src/state/store.ts", import.meta.url).pathname;

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "vbo-state-errors-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens the store in a child process as an unprivileged user (root ignores file modes). */
function openAsUnprivileged(dir: string) {
  const asRoot = process.getuid?.() === 0;
  const script = `import(${JSON.stringify(store)}).then((m) => { try { m.openStateStore({ dir: ${JSON.stringify(dir)} }).close(); console.log("opened"); } catch (e) { console.log(e.message); } })`;
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
}

test("a read-only state file names the path that must be writable, and no move advice", (t) => {
  const dir = tempDir(t);
  openStateStore({ dir }).close();
  chmodSync(join(dir, STATE_FILE_NAME), 0o444);
  chmodSync(dir, 0o777);
  const probe = openAsUnprivileged(dir);
  if (probe.status !== 0 || probe.stdout === "") {
    t.skip(`cannot run node as an unprivileged user here: ${probe.stderr.split("\n")[0]}`);
    return;
  }
  const message = probe.stdout.trim();
  assert.notEqual(message, "opened", "a file the exporter cannot write is refused when opened");
  assert.ok(message.includes(`${join(dir, STATE_FILE_NAME)} and its directory ${dir}`), message);
  assert.match(message, /must be writable by the user the exporter runs as/);
  assert.match(message, /readonly database/);
  assert.doesNotMatch(message, MOVE_AWAY);
});

test("SQLite's read-only errors name the file or the directory, never moving it away", () => {
  const file = "/var/lib/vbo/state.sqlite";
  const readonly = Object.assign(new Error("attempt to write a readonly database"), {
    code: "ERR_SQLITE_ERROR",
    errcode: 8,
  });
  const fileError = openFailure(file, readonly, "prepare");
  assert.ok(fileError instanceof StateFileError);
  assert.match(
    fileError.message,
    /\/var\/lib\/vbo\/state\.sqlite and its directory \/var\/lib\/vbo must be writable/,
  );
  assert.doesNotMatch(fileError.message, MOVE_AWAY);
  const dirError = openFailure(file, Object.assign(readonly, { errcode: 1544 }), "prepare");
  assert.match(dirError.message, /the directory \/var\/lib\/vbo must be writable/);
  assert.doesNotMatch(dirError.message, MOVE_AWAY);
  const cantOpen = Object.assign(new Error("unable to open database file"), { errcode: 14 });
  assert.doesNotMatch(openFailure(file, cantOpen, "open").message, MOVE_AWAY);
  const full = Object.assign(new Error("database or disk is full"), { errcode: 13 });
  assert.doesNotMatch(openFailure(file, full, "prepare").message, MOVE_AWAY);
  const corrupt = Object.assign(new Error("file is not a database"), { errcode: 26 });
  assert.match(openFailure(file, corrupt, "prepare").message, MOVE_AWAY);
});

test("a state file of a newer version says to run that version and not to delete the file", (t) => {
  const dir = tempDir(t);
  openStateStore({ dir }).close();
  setSchemaVersion(join(dir, STATE_FILE_NAME), 99);
  assert.throws(
    () => openStateStore({ dir }),
    (error: unknown) =>
      error instanceof StateFileError &&
      error.message.includes(join(dir, STATE_FILE_NAME)) &&
      /schema 99/.test(error.message) &&
      /Run that newer version/.test(error.message) &&
      /do not delete or move the file away/.test(error.message) &&
      /restarts from 0/.test(error.message) &&
      !MOVE_AWAY.test(error.message),
  );
});

test("a state directory that cannot be created is named with the error, without file advice", (t) => {
  const parent = tempDir(t);
  const blocker = join(parent, "not-a-dir");
  writeFileSync(blocker, "a regular file");
  const dir = join(blocker, "state");
  assert.throws(
    () => openStateStore({ dir }),
    (error: unknown) =>
      error instanceof StateFileError &&
      error.file === dir &&
      error.message.startsWith(`${dir}: cannot create the state directory (ENOTDIR`) &&
      !MOVE_AWAY.test(error.message) &&
      !error.message.includes(STATE_FILE_NAME),
  );
});
