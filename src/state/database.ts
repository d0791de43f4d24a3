// Opens the state database: a new file is built beside and renamed into place, an empty (0-byte)
// file is refused, a foreign or newer one too, and the schema is migrated to the current version.
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { emptyStateFile, newerStateFile, unusableStateFile } from "./errors.ts";
import { openFailure } from "./open-failure.ts";
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from "./schema.ts";

const PRAGMAS = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;";

function createMeta(db: DatabaseSync): void {
  db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  db.prepare(
    "INSERT INTO meta (key, value) VALUES ('application', ?), ('schema_version', '0')",
  ).run(APPLICATION_ID);
}

/**
 * A fresh state file, complete before it has its name: SQLite leaves a new file empty until its
 * first write, and a crash in between must not leave an empty state.sqlite behind (which the next
 * start refuses).
 */
function createFresh(file: string): void {
  const building = `${file}.new`;
  for (const leftover of [building, `${building}-wal`, `${building}-shm`])
    rmSync(leftover, { force: true });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(building);
  } catch (error) {
    throw openFailure(file, error, "open");
  }
  try {
    db.exec(PRAGMAS);
    createMeta(db);
  } catch (error) {
    db.close();
    throw openFailure(file, error, "prepare");
  }
  // Closing the only connection checkpoints the WAL into the file and removes it.
  db.close();
  renameSync(building, file);
  const dir = openSync(dirname(file), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** True when the file exists with no bytes and no write-ahead log that could hold its pages. */
function isEmptyFile(file: string): boolean {
  if (statSync(file).size !== 0) return false;
  const wal = `${file}-wal`;
  return !existsSync(wal) || statSync(wal).size === 0;
}

function migrate(db: DatabaseSync, file: string): void {
  const names = new Set(
    (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((t) => t.name),
  );
  if (names.size === 0) {
    // An SQLite file with nothing in it yet (as an earlier version left one when stopped right
    // after creating it): nothing to lose.
    createMeta(db);
    migrate(db, file);
    return;
  }
  if (!names.has("meta")) throw unusableStateFile(file, "is an SQLite database of another program");
  const meta = db.prepare("SELECT key, value FROM meta").all() as { key: string; value: string }[];
  const read = (key: string) => meta.find((m) => m.key === key)?.value;
  if (read("application") !== APPLICATION_ID)
    throw unusableStateFile(file, "is an SQLite database of another program");
  const version = Number(read("schema_version") ?? "NaN");
  if (!Number.isInteger(version) || version < 0)
    throw unusableStateFile(file, "has an unreadable schema version");
  if (version > SCHEMA_VERSION) throw newerStateFile(file, version, SCHEMA_VERSION);
  // A file the exporter may read but not write opens fine and fails only at the first commit:
  // this write that changes nothing finds it now.
  db.exec("UPDATE meta SET value = value WHERE 0");
  for (let next = version + 1; next <= SCHEMA_VERSION; next++) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(MIGRATIONS[next - 1] ?? "");
      db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(next));
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }
}

/** Opens `file` (creating it when missing) at the current schema version. */
export function openDatabase(file: string): DatabaseSync {
  if (!existsSync(file)) createFresh(file);
  else if (isEmptyFile(file)) throw emptyStateFile(file);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file);
  } catch (error) {
    throw openFailure(file, error, "open");
  }
  try {
    db.exec(PRAGMAS);
    migrate(db, file);
    return db;
  } catch (error) {
    db.close();
    throw openFailure(file, error, "prepare");
  }
}
