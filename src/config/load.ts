// The thin I/O shell around parseConfig: reads the file (if any) and secret files from disk.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Env } from "./interpolate.ts";
import { parseConfig } from "./parse.ts";
import type { ConfigOverrides, ConfigResult } from "./types.ts";

export interface LoadOptions {
  /** Path of the YAML file; undefined for the environment-only (single-server) case. */
  readonly file?: string | undefined;
  readonly env: Env;
  readonly overrides?: ConfigOverrides;
  /** Directory for relative paths without a file (default: the working directory). */
  readonly cwd?: string;
}

const readText = (path: string) => readFileSync(path, "utf8");

export function loadConfig(options: LoadOptions): ConfigResult {
  const cwd = options.cwd ?? process.cwd();
  // Flags and environment variables name paths relative to the working directory.
  const overrides: ConfigOverrides = {
    ...options.overrides,
    ...(options.overrides?.stateDir === undefined
      ? {}
      : { stateDir: resolve(cwd, options.overrides.stateDir) }),
  };
  if (options.file === undefined) {
    return parseConfig({
      text: null,
      fileName: "environment",
      baseDir: cwd,
      env: options.env,
      cwd,
      readFile: readText,
      overrides,
    });
  }
  const full = resolve(cwd, options.file);
  let text: string;
  try {
    text = readFileSync(full, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a directory; name the YAML file inside it"
            : String(code);
    return { ok: false, errors: [`${options.file}: cannot read the configuration file: ${why}`] };
  }
  return parseConfig({
    text,
    fileName: options.file,
    baseDir: dirname(full),
    env: options.env,
    cwd,
    readFile: readText,
    overrides,
  });
}
