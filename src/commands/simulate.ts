// `vbo-restore-exporter simulate`: runs the VBO REST API simulator as a stand-alone server.
import { readFileSync } from "node:fs";
import { type SimulatorOptions, startSimulator } from "../simulator/server.ts";
import { type Command, UsageError } from "./command.ts";
import { choiceFlag, intFlag, numberFlag, parseFlags, stringFlag } from "./parse-flags.ts";

const USAGE = `Usage: vbo-restore-exporter simulate [flags]

Serves a simulated Veeam Backup for Microsoft 365 REST API (one version) with seeded, realistic
restore sessions and events: a history, live restores arriving over time, and optional faults.

Flags:
  --api-version v6|v7|v8     API version to serve (default v8)
  --host ADDRESS             address to listen on (default 127.0.0.1; 0.0.0.0 for all)
  --port N                   port (default 4443)
  --username NAME            accepted user name (default vbo-admin)
  --password TEXT            accepted password (default simulator)
  --seed N                   seed of the generated data (default 1)
  --organizations N          number of organizations (default 4)
  --history N                restore sessions before start (default 200; 100000 works)
  --history-days N           days the history spans (default 7)
  --rate N                   new restores per minute (default 2; 0 = none)
  --session-duration S       seconds a live restore stays Working (default 60)
  --token-lifetime S         access token lifetime in seconds (default 3600)
  --change-token-ttl S       v8 change feed: age at which a change token is outdated (default 3600)
  --max-page-size N          server-side cap on limit, 1..9999 (default 1000)
  --no-token-throttle        disable the 1/s, 5/min, 1500/h token throttle
  --tls-cert FILE --tls-key FILE   serve HTTPS with this certificate
  --error-rate R             share 0..1 of API calls failing with --error-status (default 0)
  --error-status N           status of injected failures (default 500)
  --latency MS               delay added to every response (default 0)
  --truncated-json-rate R    share of JSON responses cut in half
  --invalid-json-rate R      share of responses replaced by an HTML error page
  --unknown-enum-rate R      share of sessions with enum values outside the spec

Admin endpoints (no authentication; the simulator is a test tool):
  GET  /_simulator/faults             current faults
  PUT  /_simulator/faults             change faults, e.g. {"errorRate":0.2}
  POST /_simulator/sessions           add a restore now, e.g.
       {"clientHost":"NEWHOST (via: 203.0.113.10)","result":"Failed","organization":"contoso.onmicrosoft.com","type":"Vex"}
       body fields, each optional (unknown ones answer 400):
         organization       organization name (a new one is added when no organization has it)
         type               restore type: Vex, Veod, Vesp or Vet
         mailbox            whose data the items are: a login or display name of the simulated
                            people (jdoe / John Doe, asmith / Alice Smith, ...; 400 lists them)
         eventType          every item event of this type: Save, Export, Send, Restore or View
         eventCount         number of item events
         initiatedBy        who restored, e.g. CONTOSO\\mallory
         clientHost         e.g. "HELPDESK07 (via: 203.0.113.10)", or null
         result             Success, Warning or Failed
         durationSeconds    how long it stays Working (default --session-duration)
         startMs | startedSecondsAgo   when it started (epoch ms, or seconds ago; default now)
       answers 201 {"id": "<session id>"}; e.g. a restore of Alice Smith's mailbox (a watched
       access when she is an audit item):
       curl -X POST -d '{"type":"Vex","mailbox":"Alice Smith","eventType":"Restore","eventCount":2}' \\
         http://127.0.0.1:4443/_simulator/sessions
  DELETE /_simulator/sessions/{id}    delete a restore (v8 change feed: RestoreSessionDelete)
  POST /_simulator/change-tokens/expire  outdate every v8 change token

Order: RestoreSessions come newest first on every version (v8: orderAsc=true for oldest first).
Offset paging is not a snapshot: a restore starting between two pages pushes the older ones one
place down, so the next page repeats a session rather than skipping one. Page oldest first on v8,
or de-duplicate by id, for an exact walk.`;

const FLAGS = {
  "api-version": { type: "string" },
  host: { type: "string" },
  port: { type: "string" },
  username: { type: "string" },
  password: { type: "string" },
  seed: { type: "string" },
  organizations: { type: "string" },
  history: { type: "string" },
  "history-days": { type: "string" },
  rate: { type: "string" },
  "session-duration": { type: "string" },
  "token-lifetime": { type: "string" },
  "change-token-ttl": { type: "string" },
  "max-page-size": { type: "string" },
  "no-token-throttle": { type: "boolean" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "error-rate": { type: "string" },
  "error-status": { type: "string" },
  latency: { type: "string" },
  "truncated-json-rate": { type: "string" },
  "invalid-json-rate": { type: "string" },
  "unknown-enum-rate": { type: "string" },
} as const;

function readPem(path: string, flag: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `--${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
}

/** Turns the flags into simulator options; throws UsageError on bad values. */
export function simulatorOptionsFromFlags(argv: readonly string[]): SimulatorOptions {
  const values = parseFlags(argv, FLAGS);
  const certFile = stringFlag(values, "tls-cert");
  const keyFile = stringFlag(values, "tls-key");
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new UsageError("--tls-cert and --tls-key go together");
  const username = stringFlag(values, "username");
  const password = stringFlag(values, "password");
  if (username === "") throw new UsageError("--username: must not be empty");
  if (password === "") throw new UsageError("--password: must not be empty");
  return {
    apiVersion: choiceFlag(values, "api-version", ["v6", "v7", "v8"] as const, "v8"),
    host: stringFlag(values, "host") ?? "127.0.0.1",
    port: intFlag(values, "port", 4443, 0, 65535),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    seed: intFlag(values, "seed", 1, 0, 2 ** 31 - 1),
    organizations: intFlag(values, "organizations", 4, 1, 100_000),
    historySessions: intFlag(values, "history", 200, 0, 5_000_000),
    historyDays: numberFlag(values, "history-days", 7, 0.001, 3650),
    ratePerMinute: numberFlag(values, "rate", 2, 0, 100_000),
    sessionDurationSeconds: numberFlag(values, "session-duration", 60, 1, 86_400),
    tokenLifetimeSeconds: intFlag(values, "token-lifetime", 3600, 1, 86_400 * 30),
    changeTokenTtlSeconds: intFlag(values, "change-token-ttl", 3600, 1, 86_400 * 30),
    maxPageSize: intFlag(values, "max-page-size", 1000, 1, 9999),
    tokenThrottle: values["no-token-throttle"] !== true,
    ...(certFile !== undefined && keyFile !== undefined
      ? { tls: { cert: readPem(certFile, "tls-cert"), key: readPem(keyFile, "tls-key") } }
      : {}),
    faults: {
      errorRate: numberFlag(values, "error-rate", 0, 0, 1),
      errorStatus: intFlag(values, "error-status", 500, 400, 599),
      latencyMs: intFlag(values, "latency", 0, 0, 600_000),
      truncatedJsonRate: numberFlag(values, "truncated-json-rate", 0, 0, 1),
      invalidJsonRate: numberFlag(values, "invalid-json-rate", 0, 0, 1),
      unknownEnumRate: numberFlag(values, "unknown-enum-rate", 0, 0, 1),
    },
  };
}

export const simulateCommand: Command = {
  name: "simulate",
  summary: "serve a simulated VBO REST API (v6, v7 or v8) with live restore traffic",
  usage: USAGE,
  async run(argv) {
    const options = simulatorOptionsFromFlags(argv);
    const simulator = await startSimulator(options);
    console.log(
      `VBO simulator (API ${options.apiVersion}) listening at ${simulator.url}/${options.apiVersion}`,
    );
    console.log(`Credentials: username "${simulator.username}", password "${simulator.password}"`);
    console.log("Press Ctrl+C to stop.");
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await simulator.close();
    return 0;
  },
};
