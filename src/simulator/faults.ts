// Fault injection, switchable at run time: error statuses, latency, broken JSON, and data a real
// server has been seen to send (unknown enums, nulls in required fields, dot ids, huge values,
// endless next links, a session whose events answer 404).

export interface FaultSettings {
  /** Share (0..1) of API calls, /token excluded, answered with errorStatus. */
  errorRate: number;
  errorStatus: number;
  /** Added to every response. */
  latencyMs: number;
  /** Share of JSON responses cut in half. */
  truncatedJsonRate: number;
  /** Share of responses replaced by an HTML error page. */
  invalidJsonRate: number;
  /** Share of sessions/events whose enum fields carry values outside the spec (Queued, Preview...). */
  unknownEnumRate: number;
  /** Share of sessions sent with `"creationTime": null`, one of their events with `"id": null`. */
  nullRequiredRate: number;
  /** Share of sessions (themselves well-formed) one of whose events is sent with `"id": null`. */
  nullEventIdRate: number;
  /** Share of sessions whose clientHost is 10 KB long. */
  hugeClientHostRate: number;
  /** How many sessions (the oldest) answer 404 on their events list while the session is listed. */
  eventsNotFound: number;
  /** 1: session lists page by `?cursor=k+1`, one new item per page, no totalCount, never ending. */
  endlessPaging: number;
  /** 1: the two oldest sessions are listed with the ids `.` and `..`. */
  dotIds: number;
}

export const NO_FAULTS: FaultSettings = {
  errorRate: 0,
  errorStatus: 500,
  latencyMs: 0,
  truncatedJsonRate: 0,
  invalidJsonRate: 0,
  unknownEnumRate: 0,
  nullRequiredRate: 0,
  nullEventIdRate: 0,
  hugeClientHostRate: 0,
  eventsNotFound: 0,
  endlessPaging: 0,
  dotIds: 0,
};

const RATE_KEYS = [
  "errorRate",
  "truncatedJsonRate",
  "invalidJsonRate",
  "unknownEnumRate",
  "nullRequiredRate",
  "nullEventIdRate",
  "hugeClientHostRate",
] as const;

const SWITCH_KEYS = ["endlessPaging", "dotIds"] as const;

/** Validates a partial update (from the CLI or the admin endpoint); returns an error sentence or null. */
export function faultUpdateError(update: Record<string, unknown>): string | null {
  for (const [key, value] of Object.entries(update)) {
    if (!(key in NO_FAULTS))
      return `unknown fault "${key}"; known: ${Object.keys(NO_FAULTS).join(", ")}`;
    if (typeof value !== "number" || !Number.isFinite(value)) return `${key}: expected a number`;
    if ((RATE_KEYS as readonly string[]).includes(key) && (value < 0 || value > 1))
      return `${key}: expected a share between 0 and 1`;
    if (key === "errorStatus" && (!Number.isInteger(value) || value < 400 || value > 599))
      return "errorStatus: expected an HTTP status 400..599";
    if (key === "latencyMs" && (value < 0 || value > 600_000))
      return "latencyMs: expected 0..600000";
    if ((SWITCH_KEYS as readonly string[]).includes(key) && value !== 0 && value !== 1)
      return `${key}: expected 0 (off) or 1 (on)`;
    if (key === "eventsNotFound" && (!Number.isInteger(value) || value < 0))
      return "eventsNotFound: expected a whole number of sessions";
  }
  return null;
}

/** A tiny deterministic generator for fault decisions (xorshift32). */
export class FaultDice {
  private state: number;

  constructor(seed: number) {
    this.state = (seed * 2654435761) >>> 0 || 1;
  }

  roll(rate: number): boolean {
    if (rate <= 0) return false;
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x1_0000_0000 < rate;
  }
}
