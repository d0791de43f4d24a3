// Flag parsing shared by the commands: node:util parseArgs with errors turned into UsageError.
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { editDistance } from "../text/edit-distance.ts";
import { UsageError } from "./command.ts";

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export function parseFlags(argv: readonly string[], options: ParseArgsOptionsConfig): FlagValues {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    });
    return values as FlagValues;
  } catch (error) {
    throw new UsageError(flagProblem(error, Object.keys(options)));
  }
}

/**
 * node:util's parse error as one sentence: an unknown flag named with the nearest known one
 * (its own text has a long, half-quoted hint about positionals that does not apply here).
 */
export function flagProblem(error: unknown, known: readonly string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '(--?[^']+)'/.exec(message)?.[1];
  if (unknown === undefined) return message.split("\n")[0] ?? message;
  const name = unknown.replace(/^-+/, "");
  const near = known
    .filter((k) => k !== "help")
    .map((k) => ({ k, d: editDistance(name, k) }))
    .filter(
      ({ k, d }) =>
        d <= Math.max(2, Math.floor(k.length / 3)) || k.startsWith(name) || name.startsWith(k),
    )
    .sort((a, b) => a.d - b.d)[0]?.k;
  return near === undefined
    ? `unknown flag ${unknown}`
    : `unknown flag ${unknown} (did you mean --${near}?)`;
}

/** A whole number flag within [min, max], or the default when absent. */
export function intFlag(
  values: FlagValues,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== "string" || !/^-?\d+$/.test(raw.trim())) {
    throw new UsageError(`--${name}: expected a whole number, got "${String(raw)}"`);
  }
  const value = Number(raw);
  if (value < min || value > max)
    throw new UsageError(`--${name}: must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** A decimal number flag within [min, max], or the default when absent. */
export function numberFlag(
  values: FlagValues,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value))
    throw new UsageError(`--${name}: expected a number, got "${String(raw)}"`);
  if (value < min || value > max)
    throw new UsageError(`--${name}: must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** A string flag restricted to a set of choices, or the default when absent. */
export function choiceFlag<T extends string>(
  values: FlagValues,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== "string" || !(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name}: expected one of ${choices.join(" | ")}, got "${String(raw)}"`);
  }
  return raw as T;
}

export function stringFlag(values: FlagValues, name: string): string | undefined {
  const raw = values[name];
  return typeof raw === "string" ? raw : undefined;
}
