// The exporter's own structured logger (pino), with secrets redacted wherever they appear: JSON
// lines for machines, or short human lines for a terminal.
import { Writable } from "node:stream";
import { type Logger, pino } from "pino";
import { formatLogLine } from "./log-text.ts";
import { scrub } from "./secrets/scrub.ts";

export type { Logger };

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

/** json: one JSON object a line; text: time, level, message, key=value (colour when `colour`). */
export type LogFormat =
  | { readonly kind: "json" }
  | { readonly kind: "text"; readonly colour: boolean };

/** Text with colour on a terminal (unless NO_COLOR is set), JSON everywhere else. */
export function defaultLogFormat(
  stream: { isTTY?: boolean } = process.stderr,
  env: Readonly<Record<string, string | undefined>> = process.env,
): LogFormat {
  if (stream.isTTY !== true) return { kind: "json" };
  return { kind: "text", colour: (env.NO_COLOR ?? "") === "" && env.TERM !== "dumb" };
}

/** A stream that turns each pino JSON line into a human line before writing it to `out`. */
function textStream(out: NodeJS.WritableStream, colour: boolean): Writable {
  let partial = "";
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const text = partial + chunk.toString();
      const lines = text.split("\n");
      partial = lines.pop() ?? "";
      const formatted = lines.map((line) => `${formatLogLine(line, colour)}\n`).join("");
      if (formatted === "") done();
      else out.write(formatted, () => done());
    },
  });
}

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
 * A logger writing to stderr (stdout stays free for command output), JSON unless told otherwise.
 * `secrets` (the configured ones) are scrubbed from every field of every line, a last guard behind
 * the scrubbing of each text from a VBO server or a log receiver where it enters.
 */
export function createLogger(
  level: LogLevel = "info",
  destination?: NodeJS.WritableStream,
  secrets: readonly string[] = [],
  format: LogFormat = { kind: "json" },
): Logger {
  const target =
    format.kind === "text"
      ? textStream(destination ?? process.stderr, format.colour)
      : (destination ?? pino.destination(2));
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
    target,
  );
}

/** A logger that drops everything (tests, simulator in-process). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
