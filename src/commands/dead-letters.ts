// `dead-letters`: lists the audit records the log receiver refused, and moves them back into the
// outbox (--replay) once the receiver or the configuration is fixed.
import { LOGS_DEFAULTS } from "../logs/options.ts";
import { requeueDeadLetters } from "../logs/outbox.ts";
import { decodeStoredRecord } from "../logs/record-codec.ts";
import type { LogRecord } from "../logs/records.ts";
import { scrub } from "../secrets/scrub.ts";
import { DEFAULT_DESTINATION } from "../state/schema.ts";
import { openStateStore } from "../state/store.ts";
import type { Command } from "./command.ts";
import { intFlag, parseFlags, stringFlag } from "./parse-flags.ts";
import { existingStateDir } from "./state-dir.ts";

const usage = `Usage: vbo-restore-exporter dead-letters (--config FILE | --state-dir DIR) [--replay] [--reason R] [--limit N]

Lists the audit log records the log receiver refused for good (a 4xx other than 429), which the
exporter set aside in its state so that the rest could be delivered: how many per reason, and the
oldest ones (by the record's own time) with their session and event ids, when they were set
aside and the receiver's message.

With --replay they are moved back into the outbox; a running exporter sends them on its next pass
(it may keep running: the state database is shared safely). Fix the cause first, or they come back:
too_old records need a larger logs.maxRecordAge and a Loki that accepts them.

Flags:
  --config FILE    the exporter's configuration (its state.dir is used)
  --state-dir DIR  the state directory, instead of --config
  --replay         move the dead letters back into the outbox
  --reason R       only those with this reason (e.g. too_old, structured_metadata, bad_request)
  --limit N        how many records to list (default 10)`;

type Entry = ReturnType<ReturnType<typeof openStateStore>["outbox"]["listDeadLetters"]>[number];

/** The stored record of a dead letter, or null for one that does not read as a record. */
function recordOf(entry: Entry): LogRecord | null {
  try {
    return decodeStoredRecord(entry.record);
  } catch {
    return null;
  }
}

function attribute(record: LogRecord, key: string): string {
  const found = record.attributes.find((a) => a.key === key);
  return found === undefined ? "-" : String(found.value.value);
}

/** Oldest record time first; those that cannot be read last, in the order they were set aside. */
function byRecordTime(
  a: { entry: Entry; record: LogRecord | null },
  b: { entry: Entry; record: LogRecord | null },
): number {
  if (a.record === null || b.record === null)
    return a.record === b.record ? a.entry.id - b.entry.id : a.record === null ? 1 : -1;
  const ta = a.record.timeUnixNano;
  const tb = b.record.timeUnixNano;
  return ta < tb ? -1 : ta > tb ? 1 : a.entry.id - b.entry.id;
}

/** An instant in nanoseconds as ISO 8601 text with every digit VBO gave. */
function isoFromNs(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString();
  const sub = (ns % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return `${iso.slice(0, 19)}${sub === "" ? "" : `.${sub}`}Z`;
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
    const from = existingStateDir(flags);
    const limit = intFlag(flags, "limit", 10, 0, 100_000);
    const reason = stringFlag(flags, "reason") ?? null;
    if ("errors" in from) {
      console.error(from.errors.join("\n"));
      return 1;
    }
    const { dir, secrets } = from;
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
      const listed = entries
        .map((entry) => ({ entry, record: recordOf(entry) }))
        .sort(byRecordTime)
        .slice(0, limit);
      if (listed.length > 0) console.log("oldest first (record time, session, event):");
      for (const { entry, record } of listed) {
        const what =
          record === null
            ? "(not readable as one record: an unreadable outbox chunk kept whole)"
            : `${isoFromNs(record.timeUnixNano)} session=${attribute(record, "vbo.session.id")} event=${attribute(record, "vbo.event.id")}`;
        const setAside = new Date(entry.deadLetteredAtMs).toISOString();
        console.log(
          scrub(
            `  ${what} server=${entry.server}${entry.destination === DEFAULT_DESTINATION ? "" : ` tenant=${entry.destination}`} reason=${entry.reason} status=${entry.status ?? "-"} dead-lettered=${setAside} ${entry.message}`,
            secrets,
          ),
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
