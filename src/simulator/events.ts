// The events of one restore session: a start entry, item events spread over its run, a stop entry.
import {
  FILES,
  MAIL_FOLDERS,
  MAIL_ITEM_TYPES,
  MAIL_SUBJECTS,
  PEOPLE,
  SITES,
  TEAMS,
  WARNING_REASONS,
} from "./catalog.ts";
import type { SessionPlan } from "./plan.ts";
import { tailFor } from "./plan.ts";
import { hash32, intBetween, pick, unit, uuidWithTail } from "./random.ts";

export const EVENT_TYPES = ["Save", "Export", "Send", "Restore", "View"] as const;

export interface EventPlan {
  readonly order: number;
  readonly id: string;
  readonly atMs: number;
  readonly subNs: number;
  readonly durationMs: number;
  readonly type: string;
  readonly status: string;
  readonly title: string;
  readonly message: string;
  readonly itemName: string;
  readonly itemType: string;
  readonly itemSizeBytes: number;
  readonly source: string;
  readonly target: string;
}

/** Every event the session will ever have, in order (visibility is decided by the caller). */
export function planEvents(seed: number, plan: SessionPlan): EventPlan[] {
  const tail = tailFor(plan.kind, plan.index);
  const events: EventPlan[] = [];
  // The id's tail keeps only the low bits of the session's tail, and hash32 reads 32-bit parts:
  // the session kind goes in as a part of its own, or history session i and live session i would
  // share event ids.
  const eventId = (order: number) =>
    uuidWithTail(
      (order % 4096) * 2 ** 36 + (tail % 2 ** 36),
      seed,
      tail,
      Math.floor(tail / 2 ** 32),
      order,
      7,
    );
  events.push(
    lifecycle(
      eventId(0),
      0,
      plan.startMs,
      plan.startSubNs,
      "Restore session started",
      "Restore session started",
    ),
  );
  const failedAt = plan.finalResult === "Failed" ? Math.max(1, plan.itemEvents) : -1;
  for (let i = 1; i <= plan.itemEvents; i++) {
    events.push(itemEvent(seed, tail, plan, i, eventId(i), itemStartMs(plan, i), i === failedAt));
  }
  const last = plan.itemEvents + 1;
  events.push(
    lifecycle(
      eventId(last),
      last,
      plan.endMs,
      plan.endSubNs,
      "Restore session stopped",
      `Restore session has been stopped (result: ${plan.finalResult})`,
    ),
  );
  return events;
}

/** When item event `order` (1..itemEvents) appears: spread evenly over the session's run. */
function itemStartMs(plan: SessionPlan, order: number): number {
  const span = plan.endMs - plan.startMs;
  return plan.startMs + Math.floor((span * order) / (plan.itemEvents + 2));
}

/** How long item event `order` runs: it ends before its session stops, as VBO stops one then. */
function itemDurationMs(seed: number, tail: number, plan: SessionPlan, order: number): number {
  const atMs = itemStartMs(plan, order);
  return Math.max(0, Math.min(intBetween(5, 90_000, seed, tail, order, 65), plan.endMs - atMs - 1));
}

/** The start and end instants of every item event, without building the events (for eTags). */
export function itemTimes(seed: number, plan: SessionPlan): { atMs: number; endMs: number }[] {
  const tail = tailFor(plan.kind, plan.index);
  const out: { atMs: number; endMs: number }[] = [];
  for (let i = 1; i <= plan.itemEvents; i++) {
    const atMs = itemStartMs(plan, i);
    out.push({ atMs, endMs: atMs + itemDurationMs(seed, tail, plan, i) });
  }
  return out;
}

function lifecycle(
  id: string,
  order: number,
  atMs: number,
  subNs: number,
  title: string,
  message: string,
): EventPlan {
  return {
    order,
    id,
    atMs,
    subNs,
    durationMs: 0,
    type: "None",
    status: "Success",
    title,
    message,
    itemName: "",
    itemType: "",
    itemSizeBytes: 0,
    source: "",
    target: "",
  };
}

function statusFor(seed: number, tail: number, order: number, forceFailed: boolean): string {
  if (forceFailed) return "Failed";
  const roll = unit(seed, tail, order, 61);
  if (roll < 0.86) return "Success";
  if (roll < 0.92) return "Warning";
  if (roll < 0.95) return "Skipped";
  if (roll < 0.98) return "Cancelled";
  return "Failed";
}

const VERB: Readonly<Record<string, string>> = {
  Save: "saved",
  Export: "exported",
  Send: "sent",
  Restore: "restored",
  View: "opened",
};

function itemEvent(
  seed: number,
  tail: number,
  plan: SessionPlan,
  order: number,
  id: string,
  atMs: number,
  forceFailed: boolean,
): EventPlan {
  const type = plan.itemEventType ?? pick(EVENT_TYPES, seed, tail, order, 62);
  const status = statusFor(seed, tail, order, forceFailed);
  const person = PEOPLE[plan.ownerIndex ?? plan.personIndex] ?? ["admin", "Admin"];
  const { itemName, itemType, source, target } = itemFor(
    seed,
    tail,
    order,
    plan.type,
    person,
    type,
  );
  const size = intBetween(512, 25_000_000, seed, tail, order, 63);
  const verb = VERB[type] ?? "processed";
  const details = `(type: ${itemType}; source: ${source}; target: ${target})`;
  const message =
    status === "Success"
      ? `Item ${itemName} was ${verb} successfully ${details}`
      : status === "Warning"
        ? `Item ${itemName} was ${verb} with warning: ${pick(WARNING_REASONS, seed, tail, order, 74)}`
        : `Item ${itemName} was ${verb} with status ${status} ${details}`;
  return {
    order,
    id,
    atMs,
    subNs: intBetween(0, 9_999, seed, tail, order, 64) * 100,
    durationMs: itemDurationMs(seed, tail, plan, order),
    type,
    status,
    title: `${type} ${/^(IPM\.Note|REPORT\.IPM\.Note)/.test(itemType) ? "mail item" : "item"}`,
    message,
    itemName,
    itemType,
    itemSizeBytes: size,
    source,
    target,
  };
}

function itemFor(
  seed: number,
  tail: number,
  order: number,
  restoreType: string,
  person: readonly [string, string],
  type: string,
): { itemName: string; itemType: string; source: string; target: string } {
  const [login, displayName] = person;
  const item = itemOf(seed, tail, order, restoreType, login, displayName);
  // An opened (viewed) item is shown where it is: its target is its source.
  if (type === "View") return { ...item, target: item.source };
  return {
    ...item,
    target: unit(seed, tail, order, 66) < 0.2 ? "" : targetFor(type, login),
  };
}

function itemOf(
  seed: number,
  tail: number,
  order: number,
  restoreType: string,
  login: string,
  displayName: string,
): { itemName: string; itemType: string; source: string } {
  switch (restoreType) {
    case "Vex":
      return {
        itemName: pick(MAIL_SUBJECTS, seed, tail, order, 67),
        itemType: pick(MAIL_ITEM_TYPES, seed, tail, order, 75),
        source: `${displayName}\\${pick(MAIL_FOLDERS, seed, tail, order, 68)}`,
      };
    case "Veod": {
      const file = pick(FILES, seed, tail, order, 69);
      return {
        itemName: file,
        itemType: "Item",
        source: `/personal/${login}/Documents/${file}`,
      };
    }
    case "Vesp": {
      const file = pick(FILES, seed, tail, order, 70);
      const site = pick(SITES, seed, tail, order, 71);
      const isList = hash32(seed, tail, order, 72) % 5 === 0;
      return {
        itemName: isList ? `${site} Tasks` : file,
        itemType: isList ? "List" : "Item",
        source: `/sites/${site}/Shared Documents/${file}`,
      };
    }
    default: {
      const team = pick(TEAMS, seed, tail, order, 73);
      const message = hash32(seed, tail, order, 76) % 2 === 0;
      return {
        itemName: message ? `Message from ${displayName}` : `${team} General`,
        itemType: message ? "IPM.SkypeTeams.Message" : "Channel",
        source: `/teams/${team}/General`,
      };
    }
  }
}

function targetFor(type: string, login: string): string {
  if (type === "Send") return `${login}@example.com`;
  if (type === "Export") return `C:\\Users\\${login}\\Desktop\\export.pst`;
  if (type === "Save") return `C:\\Users\\${login}\\Downloads`;
  return "Original location";
}
