// `check-config`: validates a configuration (file and/or environment) and exits 0 or 1.
import { stringify } from "yaml";
import { parseDuration } from "../config/duration.ts";
import { envHasServer } from "../config/env.ts";
import { loadConfig } from "../config/load.ts";
import { redactConfig, summarizeConfig } from "../config/redact.ts";
import { checkOnline } from "./check-online.ts";
import { type Command, UsageError } from "./command.ts";
import { parseFlags, stringFlag } from "./parse-flags.ts";

const usage = `Usage: vbo-restore-exporter check-config [--config FILE] [--show] [--online [--timeout D]]

Validates the configuration the serve command would use and exits 0 when it is valid, 1 when it
is not. Every problem is printed at once, one sentence each, in the order of the file, with the file
and key (or the environment variable or flag) that set it; settings that work but probably not as
meant are printed as warnings (exit 0).
Secret files named in the configuration are read; the servers are contacted only with --online.

Flags:
  --config FILE   YAML configuration file (without it: the VBO_* environment variables)
  --show          also print the whole configuration with every default, in the file's own
                  shape (a configuration to copy: replace each <secret> or use a *File key)
  --online        once the configuration is valid, also log into each VBO server as serve
                  would (its API version and number of organizations, or what is wrong), and,
                  when every server answered, check that each organization named in
                  logs.tenants.organizations and web.tenants is one a server has, and that no
                  organization is mapped twice to two tenants (exit 1 when not)
  --timeout D     with --online: how long each server may take to answer (default 30s)`;

export const checkConfigCommand: Command = {
  name: "check-config",
  summary: "validate a configuration file (exit 0 when valid, 1 when not)",
  usage,
  async run(argv) {
    const flags = parseFlags(argv, {
      config: { type: "string" },
      show: { type: "boolean" },
      online: { type: "boolean" },
      timeout: { type: "string" },
    });
    const timeoutText = stringFlag(flags, "timeout");
    const timeoutMs = timeoutText === undefined ? 30_000 : parseDuration(timeoutText);
    if (timeoutMs === null || timeoutMs <= 0)
      throw new UsageError("--timeout: expected a duration like 30s");
    const file = stringFlag(flags, "config");
    if (file === undefined && !envHasServer(process.env)) {
      throw new UsageError("--config FILE is required (or set VBO_URL for a single server)");
    }
    const result = loadConfig({ file, env: process.env });
    if (!result.ok) {
      console.error(result.errors.join("\n"));
      console.error(
        `\n${result.errors.length} problem${result.errors.length === 1 ? "" : "s"} found.`,
      );
      return 1;
    }
    for (const warning of result.warnings) console.error(`warning: ${warning}`);
    // With --show, stdout is a configuration file: the summary goes there as YAML comments.
    const mark = flags.show === true ? "# " : "";
    // With --online the verdict so far is only the offline one: said so, as problems may follow.
    const checked = flags.online === true ? "valid (offline checks)" : "valid";
    console.log(`${mark}${result.config.source}: ${checked}`);
    for (const line of summarizeConfig(result.config)) console.log(`${mark}  ${line}`);
    const online = flags.online === true ? await checkOnline(result.config, timeoutMs, mark) : 0;
    if (flags.show === true) console.log(`\n${stringify(redactConfig(result.config))}`);
    return online;
  },
};
