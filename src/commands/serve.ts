// `serve`: runs the exporter against the configured servers, or, with no configuration at all,
// the embedded demo: the VBO simulator in-process with live traffic and the exporter against it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import packageJson from "../../package.json" with { type: "json" };
import { DEFAULT_WEB_PORT } from "../config/defaults.ts";
import { envHasServer } from "../config/env.ts";
import { envVariableList } from "../config/env-variables.ts";
import { parseListenAddress } from "../config/listen-address.ts";
import { loadConfig } from "../config/load.ts";
import { parseConfig } from "../config/parse.ts";
import type { ConfigOverrides, ConfigResult } from "../config/types.ts";
import { describeError } from "../errors.ts";
import { createLogger, defaultLogFormat, type LogFormat, type LogLevel } from "../logger.ts";
import { type RunningExporter, startExporter, stopOnSignal } from "../main.ts";
import { configSecrets } from "../secrets/scrub.ts";
import { startSimulator } from "../simulator/server.ts";
import { type Command, UsageError } from "./command.ts";
import { choiceFlag, parseFlags, stringFlag } from "./parse-flags.ts";

const PROGRAM = "vbo-restore-exporter";
const LEVELS: readonly LogLevel[] = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];
const DEMO_LISTEN = `127.0.0.1:${DEFAULT_WEB_PORT}`;

const usage = `Usage: ${PROGRAM} serve [--config FILE] [flags]

Polls the configured VBO servers in the background and serves Prometheus metrics, health and a
landing page. Without --config and without VBO_URL it runs a demo: a built-in VBO simulator with
live simulated restores, and the exporter against it.

Flags:
  --config FILE            YAML configuration (see examples/config.yml)
  --listen-address ADDR    web listen address, e.g. :${DEFAULT_WEB_PORT} or 127.0.0.1:0
                           (default: web.listenAddress, else :${DEFAULT_WEB_PORT}; demo: ${DEMO_LISTEN})
  --state-dir DIR          state directory (default: state.dir, else ./data; demo: a fresh
                           temporary directory, removed on exit)
  --log-level LEVEL        ${LEVELS.join(" | ")} (default info)
  --log-format FORMAT      auto | text | json: the exporter's own logs on stderr (default auto:
                           short human lines on a terminal, NO_COLOR turns colour off; JSON
                           lines otherwise, for journald, Docker and log shippers)
  --console-records        demo only: also print every audit record on stdout (without an OTLP
                           endpoint a configured exporter always does)

Environment (a single server needs no file; the README says what each sets):
${envVariableList()}`;

interface Demo {
  readonly simulatorUrl: string;
  readonly stateDir: string;
  close(): Promise<void>;
}

function banner(exporter: RunningExporter, demo: Demo | null): string {
  const lines: string[] = [];
  if (demo) {
    lines.push(
      `${PROGRAM} ${packageJson.version}: DEMO MODE, every number below comes from SIMULATED data.`,
      `  A built-in VBO simulator (API v8) at ${demo.simulatorUrl} produces about 6 restores a`,
      "  minute; the exporter polls it every few seconds.",
      `  State (temporary): ${demo.stateDir}`,
    );
  } else {
    lines.push(
      `${PROGRAM} ${packageJson.version}: watching ${exporter.servers.length} server(s): ${exporter.servers
        .map((s) => `${s.name} (${s.url})`)
        .join(", ")}`,
    );
  }
  lines.push(
    "",
    `  Metrics:       ${exporter.url}metrics`,
    `  Landing page:  ${exporter.url}`,
    `  Health:        ${exporter.url}healthz   Readiness: ${exporter.url}readyz`,
  );
  if (demo) {
    lines.push(
      "",
      "To watch a real VBO server instead (from the project directory):",
      "  npm start -- --config FILE        (every key: examples/config.yml)",
      "  or  VBO_URL=https://vbo.example:4443 VBO_USERNAME=svc-monitor VBO_PASSWORD=... npm start",
    );
  }
  lines.push(
    "",
    demo
      ? "Press Ctrl+C to stop. Logs go to stderr; --console-records also prints each audit record."
      : "Press Ctrl+C to stop. The exporter's own logs go to stderr.",
  );
  return lines.join("\n");
}

/** A stream that accepts everything and keeps nothing. */
function discard(): NodeJS.WritableStream {
  return new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
}

async function startDemo(
  stateDirFlag: string | undefined,
): Promise<{ demo: Demo; env: NodeJS.ProcessEnv }> {
  const simulator = await startSimulator({
    apiVersion: "v8",
    host: "127.0.0.1",
    port: 0,
    ratePerMinute: 6,
    historySessions: 300,
    // Short sessions, so running ones visibly finish within seconds.
    sessionDurationSeconds: 20,
  });
  const tempDir =
    stateDirFlag === undefined ? mkdtempSync(join(tmpdir(), `${PROGRAM}-demo-`)) : undefined;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    VBO_URL: simulator.url,
    VBO_USERNAME: simulator.username,
    VBO_PASSWORD: simulator.password,
    VBO_PASSWORD_FILE: "",
    VBO_SERVER_NAME: "demo",
    VBO_API_VERSION: "v8",
    VBO_POLL_INTERVAL: "3s",
    // One day of the week of history: enough to fill the metrics, few enough console audit lines
    // (there is no OTLP endpoint in the demo) that the banner stays in sight.
    VBO_LOOKBACK: "1d",
    VBO_CA_FILE: "",
    VBO_INSECURE_SKIP_VERIFY: "",
    SHARD_INDEX: "",
    SHARD_COUNT: "",
  };
  return {
    env,
    demo: {
      simulatorUrl: simulator.url,
      stateDir: stateDirFlag ?? tempDir ?? "",
      close: async () => {
        await simulator.close();
        if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
      },
    },
  };
}

export const serveCommand: Command = {
  name: "serve",
  summary: "run the exporter (no configuration: a demo against the built-in simulator)",
  usage,
  async run(argv) {
    const flags = parseFlags(argv, {
      config: { type: "string" },
      "listen-address": { type: "string" },
      "state-dir": { type: "string" },
      "log-level": { type: "string" },
      "log-format": { type: "string" },
      "console-records": { type: "boolean" },
    });
    const file = stringFlag(flags, "config");
    const listenAddress = stringFlag(flags, "listen-address");
    if (listenAddress !== undefined && parseListenAddress(listenAddress) === null) {
      throw new UsageError(
        `--listen-address: expected an address like 127.0.0.1:${DEFAULT_WEB_PORT} or :${DEFAULT_WEB_PORT}, got "${listenAddress}"`,
      );
    }
    const stateDir = stringFlag(flags, "state-dir");
    if (stateDir !== undefined && stateDir.trim() === "") {
      throw new UsageError("--state-dir: expected a directory");
    }
    const logLevel =
      flags["log-level"] === undefined ? undefined : choiceFlag(flags, "log-level", LEVELS, "info");

    const formatFlag =
      flags["log-format"] === undefined
        ? "auto"
        : choiceFlag(flags, "log-format", ["auto", "text", "json"] as const, "auto");
    const logFormat: LogFormat =
      formatFlag === "json"
        ? { kind: "json" }
        : formatFlag === "text"
          ? { kind: "text", colour: defaultLogFormat().kind === "text" }
          : defaultLogFormat();
    const isDemo = file === undefined && !envHasServer(process.env);
    if (flags["console-records"] === true && !isDemo) {
      throw new UsageError(
        "--console-records is for the demo; with a configuration, records go to the console whenever no OTLP endpoint is set",
      );
    }
    let demo: Demo | null = null;
    let result: ConfigResult;
    if (isDemo) {
      const started = await startDemo(stateDir);
      demo = started.demo;
      const overrides: ConfigOverrides = {
        listenAddress: listenAddress ?? process.env.WEB_LISTEN_ADDRESS ?? DEMO_LISTEN,
        stateDir: demo.stateDir,
        ...(logLevel === undefined ? {} : { logLevel }),
      };
      result = parseConfig({
        text: null,
        fileName: "environment",
        baseDir: process.cwd(),
        cwd: process.cwd(),
        env: started.env,
        readFile: () => {
          throw Object.assign(new Error("no files in the demo"), { code: "ENOENT" });
        },
        overrides,
      });
    } else {
      result = loadConfig({
        file,
        env: process.env,
        overrides: {
          ...(listenAddress === undefined ? {} : { listenAddress }),
          ...(stateDir === undefined ? {} : { stateDir }),
          ...(logLevel === undefined ? {} : { logLevel }),
        },
      });
    }
    if (!result.ok) {
      await demo?.close();
      console.error(result.errors.join("\n"));
      return 1;
    }

    const logger = createLogger(
      result.config.logging.level,
      undefined,
      configSecrets(result.config),
      logFormat,
    );
    // The demo's simulator is on loopback over http by design: its warnings would only confuse.
    if (!demo) for (const warning of result.warnings) logger.warn(warning);
    let exporter: RunningExporter;
    try {
      exporter = await startExporter({
        config: result.config,
        logger,
        version: packageJson.version,
        ...(demo ? { notice: "Demo mode: this data comes from the built-in VBO simulator." } : {}),
        // The demo's records are counted and shown on the landing page; printed only when asked.
        ...(demo && flags["console-records"] !== true
          ? {
              consoleRecords: discard(),
              consoleNote:
                "demo: audit records are counted and shown on the landing page, not printed (--console-records prints them)",
            }
          : {}),
      });
    } catch (error) {
      await demo?.close();
      console.error(`${PROGRAM} serve: ${describeError(error)}`);
      return 1;
    }
    // The handlers first: a signal sent as soon as the banner is read must find them in place.
    const stopped = stopOnSignal(exporter, logger);
    console.log(banner(exporter, demo));
    const code = await stopped;
    await demo?.close();
    // Anything a dependency left open must not keep a stopped exporter alive.
    setTimeout(() => process.exit(code), 500).unref();
    return code;
  },
};
