// VBO's own clock as the HTTP Date header of its answers shows it (to the second).
import type { IncomingHttpHeaders } from "node:http";
import { parseHttpDate } from "../http-date.ts";

/** One reading of the server's clock. */
export interface ServerTime {
  /** The answer's Date header: the server's time when it answered, rounded down to the second. */
  readonly serverMs: number;
  /** This host's time when the answer arrived. */
  readonly localMs: number;
}

/** The reading an answer carries; null without a usable Date header. */
export function readServerTime(headers: IncomingHttpHeaders, localMs: number): ServerTime | null {
  const text = headers.date;
  if (typeof text !== "string" || text.trim() === "") return null;
  const serverMs = parseHttpDate(text.trim(), localMs);
  return serverMs !== null && serverMs > 0 ? { serverMs, localMs } : null;
}
