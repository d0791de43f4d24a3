// One exporter per state directory: an exclusive SQLite lock on a small file beside the state,
// held while the exporter runs and released by the operating system when the process ends.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { ExporterError } from "../errors.ts";

export const LOCK_FILE = "exporter.lock";

export interface InstanceLock {
  readonly file: string;
  release(): void;
}

/**
 * Takes the state directory for this process, or throws naming the directory when another
 * exporter holds it: two exporters on one state would each count what the other counted.
 * Commands that only read or requeue (dead-letters) share the state safely and take no lock.
 */
export function lockStateDir(dir: string): InstanceLock {
  const file = join(dir, LOCK_FILE);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new ExporterError(
      "state_file",
      `${dir}: cannot create the state directory (${(error as Error).message})`,
      { cause: error },
    );
  }
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { timeout: 0 });
  } catch (error) {
    throw new ExporterError(
      "state_file",
      `${file}: cannot open the lock file (${(error as Error).message}); the state directory must be writable by the exporter`,
      { cause: error },
    );
  }
  try {
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since TEXT NOT NULL)");
    db.exec("DELETE FROM holder");
    db.prepare("INSERT INTO holder (pid, since) VALUES (?, ?)").run(
      process.pid,
      new Date().toISOString(),
    );
    db.exec("COMMIT");
  } catch (error) {
    db.close();
    const busy = /locked|busy/i.test((error as Error).message);
    throw new ExporterError(
      "state_file",
      busy
        ? `${dir}: another exporter is using this state directory (${LOCK_FILE} is locked). Stop it, or give each exporter its own state.dir (replicas of a sharded setup each need one)`
        : `${file}: cannot take the lock (${(error as Error).message})`,
      { cause: error },
    );
  }
  return {
    file,
    release() {
      if (db.isOpen) db.close();
    },
  };
}
