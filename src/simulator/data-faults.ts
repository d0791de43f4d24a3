// Data faults: a session or event as a misbehaving server sends it (see faults.ts), applied to the
// JSON the serializer built, so the clean shapes stay the ground truth.
import type { FaultSettings } from "./faults.ts";
import type { SessionPlan } from "./plan.ts";
import { SESSION_KINDS, tailFor } from "./plan.ts";
import { unit } from "./random.ts";

const HUGE_LENGTH = 10_240;

function picked(seed: number, plan: SessionPlan, rate: number, salt: number): boolean {
  return rate > 0 && unit(seed, tailFor(plan.kind, plan.index), salt) < rate;
}

/** The id a session is listed with: `.` and `..` for the two oldest under the dotIds switch. */
export function listedId(faults: FaultSettings, plan: SessionPlan): string {
  if (faults.dotIds === 1 && plan.kind === SESSION_KINDS.history && plan.index < 2) {
    return plan.index === 0 ? "." : "..";
  }
  return plan.id;
}

/** True when the session's events list answers 404 (the eventsNotFound oldest sessions). */
export function eventsMissing(faults: FaultSettings, plan: SessionPlan): boolean {
  return plan.kind === SESSION_KINDS.history && plan.index < faults.eventsNotFound;
}

/** True when the session and one of its events carry nulls in required fields. */
export function nullRequired(faults: FaultSettings, seed: number, plan: SessionPlan): boolean {
  return picked(seed, plan, faults.nullRequiredRate, 96);
}

export function faultySession(
  faults: FaultSettings,
  seed: number,
  plan: SessionPlan,
  json: Record<string, unknown>,
): Record<string, unknown> {
  const id = listedId(faults, plan);
  if (id !== plan.id) json.id = id;
  if (nullRequired(faults, seed, plan)) json.creationTime = null;
  if (picked(seed, plan, faults.hugeClientHostRate, 97)) {
    const host =
      typeof json.clientHost === "string" && json.clientHost !== "" ? json.clientHost : "HOST";
    json.clientHost = `${host} ${"X".repeat(HUGE_LENGTH)}`.slice(0, HUGE_LENGTH);
  }
  return json;
}

/** The first item event (or the start event when there is none) of a nullRequired session, or of
 * a nullEventIdRate one. */
export function faultyEvent(
  faults: FaultSettings,
  seed: number,
  plan: SessionPlan,
  json: Record<string, unknown>,
): Record<string, unknown> {
  if (
    json.order === Math.min(1, plan.itemEvents) &&
    (nullRequired(faults, seed, plan) || picked(seed, plan, faults.nullEventIdRate, 98))
  )
    json.id = null;
  return json;
}
