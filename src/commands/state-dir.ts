// The exporter's state directory for the commands that read it beside a running exporter
// (dead-letters, quarantine): named by --config or --state-dir, and holding a state file.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../config/load.ts";
import { configSecrets } from "../secrets/scrub.ts";
import { STATE_FILE_NAME } from "../state/store.ts";
import { UsageError } from "./command.ts";
import { type FlagValues, stringFlag } from "./parse-flags.ts";

export interface ExistingStateDir {
  readonly dir: string;
  /** With --config, the configured secrets to keep out of what is printed. */
  readonly secrets: readonly string[];
}

/** The directory, or the sentences to print (exit 1); bad flags are a UsageError (exit 2). */
export function existingStateDir(flags: FlagValues): ExistingStateDir | { errors: string[] } {
  const config = stringFlag(flags, "config");
  const stateDir = stringFlag(flags, "state-dir");
  if ((config === undefined) === (stateDir === undefined))
    throw new UsageError("give exactly one of --config FILE and --state-dir DIR");
  let found: ExistingStateDir;
  if (stateDir !== undefined) found = { dir: stateDir, secrets: [] };
  else {
    const result = loadConfig({ file: config, env: process.env });
    if (!result.ok) return { errors: [...result.errors] };
    found = { dir: result.config.state.dir, secrets: configSecrets(result.config) };
  }
  // Opening would create a missing directory and database: a mistyped path must not pass as an
  // empty list.
  const file = join(found.dir, STATE_FILE_NAME);
  if (!existsSync(file))
    return { errors: [`${file}: no state file there; give the state directory of the exporter`] };
  return found;
}
