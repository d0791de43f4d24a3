// Why a state file cannot be used decides the advice: moving the file away only for a corrupt or
// foreign file, never for a read-only one, one of a newer version, or a directory that cannot exist.
import assert from "node:assert/strict";
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
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

type Probe = { said: string } | { skip: string };

/**
 * Opens the store in a child process that file modes apply to: this user, or when root (which
 * ignores them) the unprivileged user nobody, or, when nobody cannot reach the project (a 0700
 * directory, /root), root without the capabilities that override file modes.
 */
function openAsUnprivileged(dir: string): Probe {
  const script = `import(${JSON.stringify(store)}).then((m) => { try { m.openStateStore({ dir: ${JSON.stringify(dir)} }).close(); console.log("opened"); } catch (e) { console.log(e.message); } })`;
  const args = ["--input-type=module", "-e", script];
  const utf8 = { encoding: "utf8" } as const;
  if (process.getuid?.() !== 0) return outcome(spawnSync(process.execPath, args, utf8));
  const nobody = outcome(spawnSync(process.execPath, args, { ...utf8, uid: 65534, gid: 65534 }));
  if ("said" in nobody) return nobody;
  const noOverride = ["--bounding-set", "-dac_override,-dac_read_search", "--"];
  const plainRoot = outcome(spawnSync("setpriv", [...noOverride, process.execPath, ...args], utf8));
  if ("said" in plainRoot) return plainRoot;
  return { skip: `as nobody: ${nobody.skip}; as root without CAP_DAC_OVERRIDE: ${plainRoot.skip}` };
}

/** What the child printed, or why it could not run (it may not even start: EACCES, ENOENT). */
function outcome(probe: SpawnSyncReturns<string>): Probe {
  if (probe.error) return { skip: probe.error.message };
  if (probe.status !== 0 || !probe.stdout) {
    return { skip: `exit ${probe.status}: ${(probe.stderr ?? "").split("\n")[0]}` };
  }
  return { said: probe.stdout.trim() };
}

test("a read-only state file names the path that must be writable, and no move advice", (t) => {
  const dir = tempDir(t);
  openStateStore({ dir }).close();
  chmodSync(join(dir, STATE_FILE_NAME), 0o444);
  chmodSync(dir, 0o777);
  const probe = openAsUnprivileged(dir);
  if ("skip" in probe) {
    t.skip(`cannot open the store as a user file modes apply to: ${probe.skip}`);
    return;
  }
  const message = probe.said;
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
