// Turns what SQLite or the file system threw while opening the state into the StateFileError with the right way out.
import { busyStateFile, StateFileError, unusableStateFile, unwritableState } from "./errors.ts";

// SQLite primary result codes (the low byte of an extended code).
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
const SQLITE_CORRUPT = 11;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;
// SQLITE_READONLY_DIRECTORY: the file may be writable, its directory is not.
const SQLITE_READONLY_DIRECTORY = 1544;
const PERMISSION_CODES = new Set(["EACCES", "EPERM", "EROFS"]);

interface ErrorShape {
  readonly errcode?: unknown;
  readonly code?: unknown;
}

/** The StateFileError for a failure while opening or preparing `file`; `stage` says what was being done. */
export function openFailure(
  file: string,
  error: unknown,
  stage: "open" | "prepare",
): StateFileError {
  if (error instanceof StateFileError) return error;
  const shape = (typeof error === "object" && error !== null ? error : {}) as ErrorShape;
  const errcode = typeof shape.errcode === "number" ? shape.errcode : null;
  const primary = errcode === null ? null : errcode & 0xff;
  if (primary === SQLITE_READONLY)
    return unwritableState(file, "cannot write the state database", {
      cause: error,
      directory: errcode === SQLITE_READONLY_DIRECTORY,
    });
  if (
    primary === SQLITE_CANTOPEN ||
    (typeof shape.code === "string" && PERMISSION_CODES.has(shape.code))
  )
    return unwritableState(file, "cannot open or create the state database", { cause: error });
  if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED) return busyStateFile(file, error);
  const problem =
    stage === "open" ? "cannot open the state database" : "is not a usable state database";
  const detail = `${problem} (${error instanceof Error ? error.message : String(error)})`;
  if (primary === SQLITE_NOTADB || primary === SQLITE_CORRUPT)
    return unusableStateFile(file, detail, { cause: error });
  // Anything else (a full disk, an I/O error) is no reason to give up the file.
  return new StateFileError(file, `${file}: ${detail}.`, { cause: error });
}
