// Flag parsing shared by the commands: node:util parseArgs with errors turned into UsageError.
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
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
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.split("\n")[0] ?? message);
  }
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
