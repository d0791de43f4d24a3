// Pure: one pino JSON line as a short human line (time, level, message, then key=value fields),
// for a terminal; colour only when asked. Lines that are not pino JSON pass through unchanged.

const LEVELS: Readonly<Record<number, string>> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

const COLOURS: Readonly<Record<number, string>> = {
  10: "\u001b[90m",
  20: "\u001b[90m",
  30: "\u001b[36m",
  40: "\u001b[33m",
  50: "\u001b[31m",
  60: "\u001b[35m",
};
const RESET = "\u001b[0m";
const DIM = "\u001b[2m";

/** Fields every line carries that a person at a terminal does not need to read. */
const HIDDEN = new Set(["level", "time", "msg", "service", "pid", "hostname"]);

function fieldText(value: unknown): string {
  if (typeof value === "string") return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

/** The time of day (UTC) of an ISO timestamp, to the millisecond; the text as is otherwise. */
function clockTime(time: unknown): string {
  if (typeof time === "string") {
    const m = /T(\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)/.exec(time);
    if (m?.[1]) return m[1];
    return time;
  }
  if (typeof time === "number") return new Date(time).toISOString().slice(11, 23);
  return "";
}

export function formatLogLine(line: string, colour: boolean): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return line;
  const record = entry as Record<string, unknown>;
  const level = typeof record.level === "number" ? record.level : 30;
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${fieldText(value)}`)
    .join(" ");
  const message = typeof record.msg === "string" ? record.msg : "";
  const time = clockTime(record.time);
  if (!colour) return [time, name, message, fields].filter((p) => p !== "").join(" ");
  const tint = COLOURS[level] ?? "";
  return [
    `${DIM}${time}${RESET}`,
    `${tint}${name}${RESET}`,
    message,
    fields === "" ? "" : `${DIM}${fields}${RESET}`,
  ]
    .filter((p) => p !== "")
    .join(" ");
}
