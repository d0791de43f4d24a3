// The exporter's own structured logger (pino), with secrets redacted wherever they appear.
import { type Logger, pino } from "pino";
import { scrub } from "./secrets/scrub.ts";

export type { Logger };

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

const REDACTED_PATHS = [
  "password",
  "*.password",
  "token",
  "*.token",
  "accessToken",
  "*.accessToken",
  "refreshToken",
  "*.refreshToken",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
];

/** Strings anywhere in a log line's fields with the secrets scrubbed (plain objects and arrays). */
function scrubFields(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === "string") return scrub(value, secrets);
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => scrubFields(v, secrets, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, scrubFields(v, secrets, depth + 1)]),
  );
}

/**
 * A logger writing JSON lines to stderr (stdout stays free for command output). `secrets` (the
 * configured ones) are scrubbed from every field of every line, a last guard behind the scrubbing
 * of each text from a VBO server or a log receiver where it enters.
 */
export function createLogger(
  level: LogLevel = "info",
  destination?: NodeJS.WritableStream,
  secrets: readonly string[] = [],
): Logger {
  return pino(
    {
      level,
      base: { service: "vbo-restore-exporter" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      ...(secrets.length === 0
        ? {}
        : { formatters: { log: (fields) => scrubFields(fields, secrets) as typeof fields } }),
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination(2),
  );
}

/** A logger that drops everything (tests, simulator in-process). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
