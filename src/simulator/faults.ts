// Fault injection: error statuses, latency, broken JSON and unknown enum values, switchable at run time.

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
  /** Share of sessions/events whose enum fields carry values outside the spec. */
  unknownEnumRate: number;
}

export const NO_FAULTS: FaultSettings = {
  errorRate: 0,
  errorStatus: 500,
  latencyMs: 0,
  truncatedJsonRate: 0,
  invalidJsonRate: 0,
  unknownEnumRate: 0,
};

const RATE_KEYS = ["errorRate", "truncatedJsonRate", "invalidJsonRate", "unknownEnumRate"] as const;

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
