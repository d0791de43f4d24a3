// One restore session's plan: everything about it derived from (seed, kind, index), plus overrides
// for sessions added by hand. Plans are cheap and regenerated on demand, never stored in bulk.
import { GATEWAYS, MACHINES, PEOPLE, REASONS } from "./catalog.ts";
import { hash32, intBetween, pick, unit, uuidWithTail } from "./random.ts";
import type { TimeStyle } from "./time-format.ts";

export const SESSION_KINDS = { history: 0, live: 1, custom: 2 } as const;
export type SessionKind = (typeof SESSION_KINDS)[keyof typeof SESSION_KINDS];

export const RESTORE_TYPES = ["Vex", "Veod", "Vesp", "Vet"] as const;

export interface SessionPlan {
  readonly kind: SessionKind;
  readonly index: number;
  readonly id: string;
  readonly startMs: number;
  readonly startSubNs: number;
  readonly endMs: number;
  readonly endSubNs: number;
  readonly organizationIndex: number;
  readonly type: string;
  /**
   * Who started it: the organization itself (a Cloud Connect provider's restore) or a person of it;
   * the text follows the session's organization, so it is built when serialized.
   */
  readonly initiatedBy:
    | { readonly organization: true }
    | { readonly person: true }
    | { readonly domainAccount: true }
    | { readonly localAdministrator: true }
    | string;
  /** undefined = the field is missing from the JSON. */
  readonly clientHost: string | undefined;
  readonly finalResult: "Success" | "Warning" | "Failed";
  readonly itemEvents: number;
  readonly style: TimeStyle;
  readonly reason: string;
  readonly scopeName: string;
  readonly personIndex: number;
  /** Whose mailbox, OneDrive or data the items are (PEOPLE index); default personIndex. */
  readonly ownerIndex?: number;
  /** Every item event of this type (a custom session's eventType); default: varied. */
  readonly itemEventType?: string;
}

export interface CustomSessionSpec {
  /** Epoch ms; default: now. */
  readonly startMs?: number;
  /** Alternative to startMs: how long ago (in seconds) it started. */
  readonly startedSecondsAgo?: number;
  readonly durationSeconds?: number;
  readonly organization?: string;
  readonly type?: string;
  readonly clientHost?: string | null;
  readonly initiatedBy?: string;
  readonly result?: "Success" | "Warning" | "Failed";
  readonly eventCount?: number;
  /** Whose data the items are: a person's login or display name (see catalog.ts PEOPLE). */
  readonly mailbox?: string;
  /** Every item event of this type: Save, Export, Send, Restore or View. */
  readonly eventType?: string;
}

/** Sub-millisecond nanoseconds, in steps of 100 ns (VBO prints at most 7 digits). */
function subMs(seed: number, tail: number, salt: number): number {
  return intBetween(0, 9_999, seed, tail, salt) * 100;
}

function clientHostFor(seed: number, tail: number): string | undefined {
  const roll = unit(seed, tail, 31);
  const machine = pick(MACHINES, seed, tail, 32);
  if (roll < 0.55) return `${machine} (via: ${pick(GATEWAYS, seed, tail, 33)})`;
  if (roll < 0.8) return machine;
  if (roll < 0.9) return "";
  return undefined;
}

function resultFor(seed: number, tail: number): "Success" | "Warning" | "Failed" {
  const roll = unit(seed, tail, 41);
  if (roll < 0.8) return "Success";
  if (roll < 0.9) return "Warning";
  return "Failed";
}

function styleFor(seed: number, tail: number): TimeStyle {
  return {
    digits: intBetween(0, 7, seed, tail, 51),
    // Most servers print .NET's way: up to 7 digits, trailing zeros trimmed, no point for zero.
    trimmed: unit(seed, tail, 53) < 0.6,
    offsetMinutes: unit(seed, tail, 52) < 0.1 ? 180 : 0,
  };
}

export function tailFor(kind: SessionKind, index: number): number {
  return kind * 2 ** 40 + index;
}

export interface BasePlanInput {
  readonly seed: number;
  readonly kind: SessionKind;
  readonly index: number;
  readonly startMs: number;
  readonly durationMs: number;
  readonly organizations: number;
  readonly maxItemEvents: number;
}

/** The generated plan of one session. */
export function basePlan(input: BasePlanInput): SessionPlan {
  const { seed, kind, index } = input;
  const tail = tailFor(kind, index);
  const organizationIndex = hash32(seed, tail, 11) % input.organizations;
  const personIndex = hash32(seed, tail, 12) % PEOPLE.length;
  // Cloud Connect restores show the organization; on-premises ones DOMAIN\user or HOST\Administrator.
  const who = unit(seed, tail, 13);
  const initiatedBy =
    who < 0.3
      ? { organization: true as const }
      : who < 0.45
        ? { domainAccount: true as const }
        : who < 0.52
          ? { localAdministrator: true as const }
          : { person: true as const };
  return {
    kind,
    index,
    id: uuidWithTail(tail, seed, tail),
    startMs: input.startMs,
    startSubNs: subMs(seed, tail, 1),
    endMs: input.startMs + Math.max(1000, input.durationMs),
    endSubNs: subMs(seed, tail, 2),
    organizationIndex,
    type: pick(RESTORE_TYPES, seed, tail, 14),
    initiatedBy,
    clientHost: clientHostFor(seed, tail),
    finalResult: resultFor(seed, tail),
    itemEvents: intBetween(0, input.maxItemEvents, seed, tail, 15),
    style: styleFor(seed, tail),
    reason: pick(REASONS, seed, tail, 16),
    scopeName: unit(seed, tail, 17) < 0.2 ? "Restore Portal" : "",
    personIndex,
  };
}

/** A simple domain for UPNs from an organization name. */
export function domainOf(organization: string): string {
  if (organization.includes(".")) return organization.replace(/[^a-z0-9.-]/gi, "").toLowerCase();
  const slug = organization
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/gi, "")
    .toLowerCase();
  return `${slug === "" ? "tenant" : slug}.onmicrosoft.com`;
}
