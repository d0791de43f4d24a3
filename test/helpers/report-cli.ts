// Runs the `report` command (and `audit`) as a child process against a simulator, the way a person
// runs it: only the VBO_* variables point it at the simulator.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { RunningSimulator } from "../../src/simulator/server.ts";

const cli = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `vbo-restore-exporter COMMAND ARGS` against `sim`; `extra` adds environment variables. */
export function runCli(
  sim: RunningSimulator,
  command: string,
  args: readonly string[],
  extra: Record<string, string> = {},
): Promise<CliResult> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VBO_|OTEL_|WEB_|STATE_|SHARD_|LOGS_)/.test(k)),
  );
  const child = spawn(process.execPath, [cli, command, ...args], {
    env: {
      ...env,
      ...extra,
      VBO_URL: sim.url,
      VBO_USERNAME: sim.username,
      VBO_PASSWORD: sim.password,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}
