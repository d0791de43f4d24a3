// How far a long poll has come (pure): the time reached against the end of its range, sessions and
// events so far, the rates and an estimate of the time left; nothing estimated before there is data.

/** What a poll has read so far, as its cycle reports it. */
export interface ProgressReading {
  /** Start of the range the poll reads (epoch ms). */
  readonly fromMs: number;
  /** End of the range: VBO's now when the poll started (epoch ms). */
  readonly toMs: number;
  /** How far every session before it is committed (the cursor; epoch ms). */
  readonly reachedMs: number;
  readonly sessions: number;
  readonly events: number;
  /** When the poll started and when this reading was taken (the exporter's clock, epoch ms). */
  readonly startedMs: number;
  readonly nowMs: number;
}

export interface ProgressFigures extends ProgressReading {
  /** 0..1: the part of the range whose sessions are committed. */
  readonly ratio: number;
  readonly elapsedSeconds: number;
  /** Per second since the poll started; null before a second of data. */
  readonly sessionsPerSecond: number | null;
  readonly eventsPerSecond: number | null;
  /** Time left at the pace so far; null while nothing of the range is committed. */
  readonly remainingSeconds: number | null;
}

const round = (value: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export function progressFigures(reading: ProgressReading): ProgressFigures {
  const span = reading.toMs - reading.fromMs;
  const ratio =
    span <= 0 ? 1 : Math.min(1, Math.max(0, (reading.reachedMs - reading.fromMs) / span));
  const elapsedSeconds = Math.max(0, (reading.nowMs - reading.startedMs) / 1000);
  const perSecond = (count: number) =>
    elapsedSeconds < 1 ? null : round(count / elapsedSeconds, 1);
  const remainingSeconds =
    ratio <= 0 ? null : ratio >= 1 ? 0 : Math.round((elapsedSeconds * (1 - ratio)) / ratio);
  return {
    ...reading,
    ratio: round(ratio, 4),
    elapsedSeconds: round(elapsedSeconds, 1),
    sessionsPerSecond: perSecond(reading.sessions),
    eventsPerSecond: perSecond(reading.events),
    remainingSeconds,
  };
}

/** The fields of a progress log line (times as ISO text, the ratio as a percentage). */
export function progressLogFields(figures: ProgressFigures): Record<string, unknown> {
  return {
    reached: new Date(figures.reachedMs).toISOString(),
    vboNow: new Date(figures.toMs).toISOString(),
    percent: round(figures.ratio * 100, 1),
    sessions: figures.sessions,
    events: figures.events,
    sessionsPerSecond: figures.sessionsPerSecond,
    eventsPerSecond: figures.eventsPerSecond,
    elapsedSeconds: figures.elapsedSeconds,
    remainingSeconds: figures.remainingSeconds,
  };
}
