// The world's change log, derived from its timeline: every instant a session appears, gains an
// event, sees an item finish or stops is a change (eTag + 1); deleting a session is one too.
import { itemTimes } from "./events.ts";
import type { SessionPlan } from "./plan.ts";
import { SESSION_KINDS } from "./plan.ts";
import type { SimulatorWorld } from "./world.ts";

/** One entry of the log, at the simulator time it was recorded. */
export interface Change {
  readonly atMs: number;
  readonly sessionId: string;
  /** null for a deletion. */
  readonly eTag: number | null;
}

/**
 * The instants (epoch ms, ascending, distinct) at which a session changes: it starts (with its
 * start event), each item event appears, each item still Running when it appears finishes in place,
 * and the session stops (with its stop event, state, result and details).
 */
export function changeInstants(seed: number, plan: SessionPlan): number[] {
  const instants = new Set<number>([plan.startMs, plan.endMs]);
  for (const item of itemTimes(seed, plan)) {
    instants.add(item.atMs);
    instants.add(item.endMs);
  }
  return [...instants].sort((a, b) => a - b);
}

/** The session's eTag at t: how many changes it has had by then (1 once it exists). */
export function eTagAt(seed: number, plan: SessionPlan, atMs: number): number {
  let n = 0;
  for (const instant of changeInstants(seed, plan)) if (instant <= atMs) n++;
  return Math.max(1, n);
}

function order(a: Change, b: Change): number {
  return a.atMs - b.atMs || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0);
}

/**
 * Every change recorded in [fromMs, toMs], oldest first (ties by session id). A session added by
 * hand records its past changes at the moment it was added; a deleted session records nothing after
 * its deletion but the deletion itself.
 */
export function changesBetween(world: SimulatorWorld, fromMs: number, toMs: number): Change[] {
  const seed = world.options.seed;
  const deletions = world.deletions();
  const out: Change[] = [];
  const record = (plan: SessionPlan, addedAtMs: number) => {
    const deletedAt = deletions.get(plan.id) ?? Number.POSITIVE_INFINITY;
    let eTag = 0;
    let pending: Change | null = null;
    for (const instant of changeInstants(seed, plan)) {
      eTag++;
      const atMs = Math.max(instant, addedAtMs);
      if (atMs > toMs || atMs >= deletedAt) break;
      if (atMs < fromMs) continue;
      // Changes folded onto one instant (a session added with a past) are one change.
      if (pending !== null && pending.atMs !== atMs) out.push(pending);
      pending = { atMs, sessionId: plan.id, eTag };
    }
    if (pending !== null) out.push(pending);
    if (deletedAt >= fromMs && deletedAt <= toMs) {
      out.push({ atMs: deletedAt, sessionId: plan.id, eTag: null });
    }
  };
  // Generated sessions change only within their run, so only those started shortly before count.
  const window = world.window(
    fromMs - world.maxGeneratedDurationMs(),
    Number.POSITIVE_INFINITY,
    toMs,
  );
  for (let i = 0; i < window.length; i++) {
    const plan = window.at(i);
    if (plan.kind !== SESSION_KINDS.custom) record(plan, Number.NEGATIVE_INFINITY);
  }
  for (const { plan, addedAtMs } of world.customs()) record(plan, addedAtMs);
  // A deleted generated session left the window: its deletion is still a change.
  for (const [id, deletedAt] of deletions) {
    if (deletedAt < fromMs || deletedAt > toMs) continue;
    if (!out.some((c) => c.sessionId === id && c.eTag === null)) {
      out.push({ atMs: deletedAt, sessionId: id, eTag: null });
    }
  }
  return out.sort(order);
}

/** The first instant after t at which something will change, or Infinity. */
export function nextChangeAfter(world: SimulatorWorld, atMs: number): number {
  const seed = world.options.seed;
  let next = world.nextLiveStartAfter(atMs);
  const window = world.window(atMs - world.maxGeneratedDurationMs(), atMs, atMs);
  for (let i = 0; i < window.length; i++) {
    const plan = window.at(i);
    if (plan.kind === SESSION_KINDS.custom || plan.endMs <= atMs) continue;
    for (const instant of changeInstants(seed, plan)) {
      if (instant > atMs) {
        next = Math.min(next, instant);
        break;
      }
    }
  }
  for (const { plan, addedAtMs } of world.customs()) {
    if (world.deletions().has(plan.id)) continue;
    for (const instant of changeInstants(seed, plan)) {
      const at = Math.max(instant, addedAtMs);
      if (at > atMs) {
        next = Math.min(next, at);
        break;
      }
    }
  }
  return next;
}
