// Record timestamps as OTLP carries them: time_unix_nano is unsigned, and 0 means "unknown".

/** The latest time the outbox can store (SQLite integers are signed 64-bit; year 2262). */
const LATEST_NS = 2n ** 63n - 1n;

/**
 * A source time as a record's timeUnixNano: 0 ("unknown"; receivers such as Loki then use the
 * observed time) when it lies before 1970 (.NET's DateTime.MinValue, 0001-01-01) or beyond what
 * can be stored (DateTime.MaxValue, 9999-12-31), rather than a value OTLP cannot express.
 */
export function otlpTimeUnixNano(ns: bigint): bigint {
  return ns < 0n || ns > LATEST_NS ? 0n : ns;
}

/** The time a record stands for: its own, or the observed time when its own is unknown (0). */
export function effectiveTimeUnixNano(record: {
  readonly timeUnixNano: bigint;
  readonly observedTimeUnixNano: bigint;
}): bigint {
  return record.timeUnixNano > 0n ? record.timeUnixNano : record.observedTimeUnixNano;
}
