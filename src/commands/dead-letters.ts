// `dead-letters`: lists the audit records the log receiver refused, and moves them back into the
// outbox (--replay) once the receiver or the configuration is fixed.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../config/load.ts";
import { LOGS_DEFAULTS } from "../logs/options.ts";
import { requeueDeadLetters } from "../logs/outbox.ts";
import { configSecrets, scrub } from "../secrets/scrub.ts";
import { DEFAULT_DESTINATION } from "../state/schema.ts";
import { openStateStore, STATE_FILE_NAME } from "../state/store.ts";
import { type Command, UsageError } from "./command.ts";
import { intFlag, parseFlags, stringFlag } from "./parse-flags.ts";

const usage = `Usage: vbo-restore-exporter dead-letters (--config FILE | --state-dir DIR) [--replay] [--reason R] [--limit N]

Lists the audit log records the log receiver refused for good (a 4xx other than 429), which the
exporter set aside in its state so that the rest could be delivered: how many per reason, and the
oldest ones with the receiver's message.

With --replay they are moved back into the outbox; a running exporter sends them on its next pass
(it may keep running: the state database is shared safely). Fix the cause first, or they come back:
too_old records need a larger logs.maxRecordAge and a Loki that accepts them.

Flags:
  --config FILE    the exporter's configuration (its state.dir is used)
  --state-dir DIR  the state directory, instead of --config
  --replay         move the dead letters back into the outbox
  --reason R       only those with this reason (e.g. too_old, structured_metadata, bad_request)
  --limit N        how many records to list (default 10)`;

/** The state directory, and with --config the secrets to keep out of the printed messages. */
function stateDirFrom(
  config: string | undefined,
  stateDir: string | undefined,
): { dir: string; secrets: readonly string[] } | { errors: readonly string[] } {
  if (stateDir !== undefined) return { dir: stateDir, secrets: [] };
  const result = loadConfig({ file: config, env: process.env });
  return result.ok
    ? { dir: result.config.state.dir, secrets: configSecrets(result.config) }
    : { errors: result.errors };
}

export const deadLettersCommand: Command = {
  name: "dead-letters",
  summary: "list the audit records the log receiver refused; --replay sends them again",
  usage,
  async run(argv) {
    const flags = parseFlags(argv, {
      config: { type: "string" },
      "state-dir": { type: "string" },
      replay: { type: "boolean" },
      reason: { type: "string" },
      limit: { type: "string" },
    });
    const config = stringFlag(flags, "config");
    const stateDirFlag = stringFlag(flags, "state-dir");
    if ((config === undefined) === (stateDirFlag === undefined)) {
      throw new UsageError("give exactly one of --config FILE and --state-dir DIR");
    }
    const limit = intFlag(flags, "limit", 10, 0, 100_000);
    const reason = stringFlag(flags, "reason") ?? null;
    const from = stateDirFrom(config, stateDirFlag);
    if ("errors" in from) {
      console.error(from.errors.join("\n"));
      return 1;
    }
    const { dir, secrets } = from;
    // Opening would create a missing directory and database: a mistyped path must not pass as
    // "no dead letters".
    const file = join(dir, STATE_FILE_NAME);
    if (!existsSync(file)) {
      console.error(`${file}: no state file there; give the state directory of the exporter`);
      return 1;
    }
    const store = openStateStore({ dir });
    try {
      const entries = store.outbox.listDeadLetters(Number.MAX_SAFE_INTEGER, reason);
      const perReason = new Map<string, number>();
      for (const entry of entries)
        perReason.set(entry.reason, (perReason.get(entry.reason) ?? 0) + 1);
      if (entries.length === 0) {
        console.log(
          `${store.file}: no dead letters${reason === null ? "" : ` with reason ${reason}`}`,
        );
        return 0;
      }
      console.log(`${store.file}: ${entries.length} dead letter${entries.length === 1 ? "" : "s"}`);
      for (const [name, count] of [...perReason].sort((a, b) => b[1] - a[1]))
        console.log(`  ${name}: ${count}`);
      for (const entry of entries.slice(0, limit)) {
        const when = new Date(entry.deadLetteredAtMs).toISOString();
        const tenant =
          entry.destination === DEFAULT_DESTINATION ? "" : ` tenant=${entry.destination}`;
        console.log(
          `  ${when} server=${entry.server}${tenant} reason=${entry.reason} status=${entry.status ?? "-"} ${scrub(entry.message, secrets)}`,
        );
      }
      if (flags.replay === true) {
        const moved = requeueDeadLetters(store, reason, Date.now(), LOGS_DEFAULTS.batchMaxRecords);
        console.log(`moved ${moved} record${moved === 1 ? "" : "s"} back into the outbox`);
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
