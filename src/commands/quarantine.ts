// `quarantine list`: the records VBO sent that could not be read, which the exporter kept in its
// state instead of failing the poll: how many per kind and reason, and each with its JSON.
import { scrub } from "../secrets/scrub.ts";
import { openStateStore } from "../state/store.ts";
import { clip } from "../vbo/errors.ts";
import { type Command, UsageError } from "./command.ts";
import { intFlag, parseFlags, stringFlag } from "./parse-flags.ts";
import { existingStateDir } from "./state-dir.ts";

const usage = `Usage: vbo-restore-exporter quarantine list (--config FILE | --state-dir DIR) [--all] [--server NAME] [--limit N]

Lists the records VBO sent that the exporter could not read (a null or missing required field, a
value of the wrong type, a bad timestamp, an events list that answers 404), which it kept in its
state so that the rest of the audit went on: how many per kind and reason, and the newest ones with
the field at fault and their JSON as VBO sent it (secrets removed). The exporter reads each again on
later polls and takes it, once, when it reads well; it is then resolved. A session VBO reports
ended whose records stay unreadable through the grace is finished without them: they stay listed,
"given up" (never counted, not read again, even should VBO send them readably later).

Flags:
  --config FILE    the exporter's configuration (its state.dir is used)
  --state-dir DIR  the state directory, instead of --config
  --all            resolved records too (default: only those still unread)
  --server NAME    only this server's
  --limit N        how many records to show (default 20)`;

/** Most characters of a record's JSON printed per line. */
const RAW_SHOWN = 400;

export const quarantineCommand: Command = {
  name: "quarantine",
  summary: "list the records VBO sent that could not be read (kept instead of failing the poll)",
  usage,
  async run(argv) {
    const [action, ...rest] = argv;
    if (action !== "list") throw new UsageError('give the action "list"');
    const flags = parseFlags(rest, {
      config: { type: "string" },
      "state-dir": { type: "string" },
      all: { type: "boolean" },
      server: { type: "string" },
      limit: { type: "string" },
    });
    const from = existingStateDir(flags);
    const limit = intFlag(flags, "limit", 20, 0, 100_000);
    const server = stringFlag(flags, "server") ?? null;
    const all = flags.all === true;
    if ("errors" in from) {
      console.error(from.errors.join("\n"));
      return 1;
    }
    const { dir, secrets } = from;
    const clean = (text: string) => scrub(text, secrets);
    const store = openStateStore({ dir });
    try {
      const rows = store.quarantine.list({ server, all, limit: Number.MAX_SAFE_INTEGER });
      const what = `${all ? "" : "unread "}quarantined record`;
      if (rows.length === 0) {
        console.log(`${store.file}: no ${what}s${server === null ? "" : ` of server ${server}`}`);
        return 0;
      }
      const givenUp = rows.filter((r) => r.resolvedAtMs === null && r.givenUpAtMs !== null);
      console.log(
        `${store.file}: ${rows.length} ${what}${rows.length === 1 ? "" : "s"}${
          givenUp.length === 0
            ? ""
            : ` (${givenUp.length} given up: their sessions ended and were finished without them; never counted, not read again)`
        }`,
      );
      const per = new Map<string, number>();
      for (const row of rows) {
        const key = `${row.kind} ${row.reason}`;
        per.set(key, (per.get(key) ?? 0) + 1);
      }
      for (const [key, count] of [...per].sort((a, b) => b[1] - a[1]))
        console.log(`  ${key}: ${count}`);
      for (const row of rows.slice(0, limit)) {
        const state =
          row.resolvedAtMs !== null
            ? `resolved ${new Date(row.resolvedAtMs).toISOString()}`
            : row.givenUpAtMs !== null
              ? `unread given-up ${new Date(row.givenUpAtMs).toISOString()}`
              : "unread";
        const fields = [
          new Date(row.lastSeenMs).toISOString(),
          `server=${clean(row.server)}`,
          `kind=${row.kind}`,
          `id=${clean(row.recordId ?? "-")}`,
          `session=${clean(row.sessionId ?? "-")}`,
          `reason=${row.reason}`,
          `field=${clean(row.field ?? "-")}`,
          state,
        ];
        console.log(`  ${fields.join(" ")}: ${clip(clean(row.message), 300)}`);
        if (row.raw !== "") console.log(`    ${clip(clean(row.raw), RAW_SHOWN)}`);
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
