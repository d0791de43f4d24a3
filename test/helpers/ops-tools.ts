// Finds and runs the external operations tools (promtool, amtool, prometheus, alertmanager) in tests.
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The absolute path of the first of `names` found on PATH, or undefined. */
export function findTool(...names: readonly string[]): string | undefined {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter((d) => d !== "");
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not in this directory
      }
    }
  }
  return undefined;
}

/** True when running under CI, where a missing tool is a failure rather than a skip. */
export function underCi(): boolean {
  return process.env.CI === "true";
}

/**
 * A node:test `skip` option: false when every tool is present or when under CI (so the test runs
 * and fails on the missing tool), otherwise a message saying what to install.
 */
export function skipUnlessTools(
  tools: Readonly<Record<string, readonly string[]>>,
): string | false {
  const missing = Object.entries(tools)
    .filter(([, names]) => findTool(...names) === undefined)
    .map(([label]) => label);
  if (missing.length === 0 || underCi()) return false;
  return `${missing.join(", ")} not found on PATH; install with apt-get install prometheus prometheus-alertmanager (required under CI=true)`;
}

/** The path of a tool that the test needs; throws a clear error when it is missing. */
export function requireTool(...names: readonly string[]): string {
  const found = findTool(...names);
  if (found === undefined) {
    throw new Error(
      `${names.join(" or ")} not found on PATH (apt-get install prometheus prometheus-alertmanager)`,
    );
  }
  return found;
}

/** Runs a tool to completion and returns its exit code and output (never throws on exit != 0). */
export function runTool(
  path: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly timeoutMs?: number } = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(
      path,
      [...args],
      { cwd: options.cwd, timeout: options.timeoutMs ?? 20_000, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(error);
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}
