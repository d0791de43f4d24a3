// Typed failures of the state store, each with the way out that fits its cause (moving a file away only when it is unusable).
import { dirname } from "node:path";
import { ExporterError } from "../errors.ts";

export class StateFileError extends ExporterError {
  override readonly name = "StateFileError";
  /** The file or directory at fault. */
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super("state_file", message, options);
    this.file = file;
  }
}

const causeText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A corrupt file, or one of another program: only then is moving it away the way out. */
export function unusableStateFile(
  file: string,
  problem: string,
  options?: { cause?: unknown },
): StateFileError {
  return new StateFileError(
    file,
    `${file}: ${problem}. Move the file away (or point state.dir elsewhere) to start with fresh state; the exporter then re-reads the configured lookback.`,
    options,
  );
}

/**
 * An existing state file with no bytes (truncated, or replaced by a failed copy or restore):
 * taking it as fresh state would restart every counter at 0 and send the whole lookback again
 * with new observed times, which Loki does not see as duplicates.
 */
export function emptyStateFile(file: string): StateFileError {
  return new StateFileError(
    file,
    `${file}: is empty (0 bytes): the file was truncated or replaced (a failed copy or restore, a full disk?) and holds no state. The exporter does not start from it, because every counter would restart from 0 and the whole lookback would be sent to Loki again. Restore a backup of the file, or, to start with fresh state on purpose, move the file away (or point state.dir elsewhere).`,
  );
}

/** A file written by a newer release: deleting it would restart every counter from 0. */
export function newerStateFile(file: string, version: number, known: number): StateFileError {
  return new StateFileError(
    file,
    `${file}: was written by a newer version of the exporter (schema ${version}, this one knows ${known}). Run that newer version, or restore a backup of the file taken before the upgrade; do not delete or move the file away, or every counter restarts from 0.`,
  );
}

/** A file or directory the exporter's user may not write (SQLite also creates FILE-wal and FILE-shm beside it). */
export function unwritableState(
  file: string,
  problem: string,
  options: { cause: unknown; directory?: boolean },
): StateFileError {
  const dir = dirname(file);
  const fix = options.directory
    ? `the directory ${dir} must be writable by the user the exporter runs as`
    : `${file} and its directory ${dir} must be writable by the user the exporter runs as`;
  return new StateFileError(file, `${file}: ${problem} (${causeText(options.cause)}); ${fix}.`, {
    cause: options.cause,
  });
}

/** The state directory could not be created: its path or its parent's permissions are at fault. */
export function stateDirFailure(dir: string, error: unknown): StateFileError {
  return new StateFileError(
    dir,
    `${dir}: cannot create the state directory (${causeText(error)}); fix the path or its parent's permissions, or point state.dir elsewhere.`,
    { cause: error },
  );
}

/** Another process holds the database (e.g. a second exporter on the same state.dir). */
export function busyStateFile(file: string, error: unknown): StateFileError {
  return new StateFileError(
    file,
    `${file}: is in use by another process (${causeText(error)}); is another exporter or command using the same state.dir?`,
    { cause: error },
  );
}
