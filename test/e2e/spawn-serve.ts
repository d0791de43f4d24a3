// Runs `node src/cli.ts serve` as a child process for the end-to-end tests: waits for the banner,
// exposes captured output, and stops it with a signal.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));

export interface ServeProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of the pattern in stdout (rejects on exit or timeout). */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends the signal; resolves with the exit code and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
  exited(): Promise<number | null>;
}

/** The environment without anything that configures the exporter, plus the given variables. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(VBO_|OTEL_|WEB_|STATE_DIR|SHARD_|LOG_LEVEL)/.test(key),
    ),
  );
  return { ...env, ...extra };
}

export function spawnServe(args: readonly string[], env: NodeJS.ProcessEnv): ServeProcess {
  const child = spawn(process.execPath, [cli, "serve", ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited: () => exit,
    waitForStdout(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const tick = () => {
          const match = out.match(pattern);
          if (match) return resolve(match);
          if (child.exitCode !== null) {
            return reject(new Error(`serve exited with ${child.exitCode}:\n${out}\n${err}`));
          }
          if (Date.now() - started > timeoutMs) {
            return reject(
              new Error(`no ${pattern} in stdout after ${timeoutMs} ms:\n${out}\n${err}`),
            );
          }
          setTimeout(tick, 50);
        };
        tick();
      });
    },
    async stop(signal = "SIGTERM") {
      const started = Date.now();
      if (child.exitCode === null) child.kill(signal);
      const code = await exit;
      return { code, ms: Date.now() - started };
    },
  };
}

/** Polls until check returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const started = Date.now();
  let last: unknown;
  while (Date.now() - started < timeoutMs) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}
