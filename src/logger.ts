// The exporter's own structured logger (pino), with secrets redacted wherever they appear.
import { type Logger, pino } from "pino";

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

/** A logger writing JSON lines to stderr (stdout stays free for command output). */
export function createLogger(
  level: LogLevel = "info",
  destination?: NodeJS.WritableStream,
): Logger {
  return pino(
    {
      level,
      base: { service: "vbo-restore-exporter" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination(2),
  );
}

/** A logger that drops everything (tests, simulator in-process). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
