// Paths and file readers for the operations files (prometheus/, grafana/, loki/, ...) in tests.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** The repository root (two levels above test/helpers/). */
export const repoRoot: string = fileURLToPath(new URL("../../", import.meta.url));

/** An absolute path inside the repository. */
export function repoPath(...segments: readonly string[]): string {
  return join(repoRoot, ...segments);
}

export function readRepoText(...segments: readonly string[]): string {
  return readFileSync(repoPath(...segments), "utf8");
}

/** Parses a YAML file of the repository; the result is checked by the caller. */
export function readRepoYaml(...segments: readonly string[]): unknown {
  return parse(readRepoText(...segments));
}

/** The repository-relative paths of the files in a directory whose names end with `suffix`. */
export function listRepoFiles(dir: string, suffix: string): string[] {
  const abs = repoPath(dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => `${dir}/${name}`);
}

/** Narrows an unknown value to a plain object, with a message naming where it was expected. */
export function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${where}: expected a mapping`);
  }
  return value as Record<string, unknown>;
}

/** Narrows an unknown value to an array, with a message naming where it was expected. */
export function asArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${where}: expected a list`);
  return value;
}

/** Narrows an unknown value to a string, with a message naming where it was expected. */
export function asString(value: unknown, where: string): string {
  if (typeof value !== "string") throw new TypeError(`${where}: expected a string`);
  return value;
}
