// A repeating timer that never keeps the process up, injectable so tests tick it on events they
// can observe instead of waiting on time.

/** Starts `tick` every `ms`; returns what stops it. */
export type Every = (ms: number, tick: () => void) => () => void;

export const realEvery: Every = (ms, tick) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};
