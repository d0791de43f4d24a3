// The simulated VBO server's data: a seeded timeline of restore sessions (history before the start,
// live ones arriving after it, custom ones added by hand) and their events, as a pure function of time.
import { ORGANIZATION_NAMES, PEOPLE, REGIONS } from "./catalog.ts";
import { type EventPlan, planEvents } from "./events.ts";
import { initiatedByText } from "./initiated-by.ts";
import {
  basePlan,
  type CustomSessionSpec,
  domainOf,
  SESSION_KINDS,
  type SessionPlan,
  tailFor,
} from "./plan.ts";
import { tailOf, unit, uuidWithTail } from "./random.ts";
import { lowerBound, upperBound } from "./sorted-search.ts";

export interface WorldOptions {
  readonly seed: number;
  readonly organizations: number;
  readonly historySessions: number;
  readonly historyDays: number;
  readonly ratePerMinute: number;
  readonly sessionDurationSeconds: number;
  readonly startTime: number;
}

export interface SimOrganization {
  readonly id: string;
  readonly name: string;
  readonly officeName: string;
  readonly type: "Office365";
  readonly region: string;
}

export interface SimUser {
  readonly id: string;
  readonly displayName: string;
  readonly name: string;
  readonly type: "User";
  readonly locationType: "Cloud";
}

/** Sessions in start-time order, generated on access. */
export interface SessionWindow {
  readonly length: number;
  at(index: number): SessionPlan;
}

const HISTORY_MAX_EVENTS = 8;
const LIVE_MAX_EVENTS = 6;

/** The PEOPLE index of a login or display name (case-insensitive); 0 when unknown. */
export function personIndexOf(name: string): number {
  const wanted = name.trim().toLowerCase();
  const index = PEOPLE.findIndex(
    ([login, displayName]) => login === wanted || displayName.toLowerCase() === wanted,
  );
  return Math.max(0, index);
}

export class SimulatorWorld {
  readonly options: WorldOptions;
  private readonly historyStarts: Float64Array;
  private readonly customPlans: SessionPlan[] = [];
  /** When each custom session was added (its changes before that are recorded then). */
  private readonly customAddedAt: number[] = [];
  /** Deleted sessions → when (the admin switch; VBO deletes sessions with its retention). */
  private readonly deleted = new Map<string, number>();
  private readonly orgs: SimOrganization[];

  constructor(options: WorldOptions) {
    this.options = options;
    const span = options.historyDays * 86_400_000;
    const n = options.historySessions;
    this.historyStarts = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // Evenly spread with jitter inside each slot: start times strictly increase with the index.
      this.historyStarts[i] = Math.floor(
        options.startTime - span + ((i + unit(options.seed, i, 3)) * span) / n,
      );
    }
    this.orgs = Array.from({ length: options.organizations }, (_, i) => {
      const base = ORGANIZATION_NAMES[i % ORGANIZATION_NAMES.length] ?? "org";
      const name =
        i < ORGANIZATION_NAMES.length
          ? base
          : `${base} #${Math.floor(i / ORGANIZATION_NAMES.length) + 1}`;
      return {
        id: uuidWithTail(i, options.seed, 900, i),
        name,
        officeName: domainOf(name),
        type: "Office365",
        region: REGIONS[i % REGIONS.length] ?? "Worldwide",
      };
    });
  }

  organizations(): SimOrganization[] {
    return [...this.orgs];
  }

  organizationName(plan: SessionPlan): string {
    return this.orgs[plan.organizationIndex]?.name ?? "unknown";
  }

  /** initiatedBy as VBO shows it: the organization's name, or a person of it (see initiated-by.ts). */
  initiatedBy(plan: SessionPlan): string {
    return initiatedByText(this.options.seed, plan, this.organizationName(plan));
  }

  organizationId(plan: SessionPlan): string {
    return this.orgs[plan.organizationIndex]?.id ?? "";
  }

  users(organizationId: string): SimUser[] | null {
    const org = this.orgs.find((o) => o.id === organizationId);
    if (!org) return null;
    const index = this.orgs.indexOf(org);
    return PEOPLE.map(([login, displayName], i) => ({
      id: `${uuidWithTail(i, this.options.seed, 901, index)}${"AQUAAAAAAAUV".slice(0, (i % 4) * 3)}`,
      displayName,
      name: `${login}@${org.officeName}`,
      type: "User",
      locationType: "Cloud",
    }));
  }

  /** Adds a session that behaves like a live one; returns its id. */
  addSession(spec: CustomSessionSpec, nowMs: number): string {
    const index = this.customPlans.length;
    const startMs =
      spec.startMs ??
      (spec.startedSecondsAgo !== undefined ? nowMs - spec.startedSecondsAgo * 1000 : nowMs);
    const durationMs = (spec.durationSeconds ?? this.options.sessionDurationSeconds) * 1000;
    const base = basePlan({
      seed: this.options.seed,
      kind: SESSION_KINDS.custom,
      index,
      startMs,
      durationMs,
      organizations: this.options.organizations,
      maxItemEvents: LIVE_MAX_EVENTS,
    });
    let organizationIndex = base.organizationIndex;
    if (spec.organization !== undefined) {
      organizationIndex = this.orgs.findIndex((o) => o.name === spec.organization);
      if (organizationIndex < 0) {
        this.orgs.push({
          id: uuidWithTail(this.orgs.length, this.options.seed, 900, this.orgs.length),
          name: spec.organization,
          officeName: domainOf(spec.organization),
          type: "Office365",
          region: "Worldwide",
        });
        organizationIndex = this.orgs.length - 1;
      }
    }
    const plan: SessionPlan = {
      ...base,
      organizationIndex,
      type: spec.type ?? base.type,
      clientHost: spec.clientHost === null ? undefined : (spec.clientHost ?? base.clientHost),
      initiatedBy: spec.initiatedBy ?? base.initiatedBy,
      finalResult: spec.result ?? base.finalResult,
      itemEvents: Math.max(0, Math.min(spec.eventCount ?? base.itemEvents, 100_000)),
      ...(spec.mailbox === undefined ? {} : { ownerIndex: personIndexOf(spec.mailbox) }),
      ...(spec.eventType === undefined ? {} : { itemEventType: spec.eventType }),
    };
    this.customPlans.push(plan);
    this.customAddedAt.push(nowMs);
    return plan.id;
  }

  /** Deletes a session from nowMs on; false when there is no such session (or it is gone already). */
  deleteSession(id: string, nowMs: number): boolean {
    if (this.planById(id, nowMs) === null) return false;
    this.deleted.set(id.toLowerCase(), nowMs);
    return true;
  }

  /** Deleted sessions and when they were deleted. */
  deletions(): ReadonlyMap<string, number> {
    return this.deleted;
  }

  /** Sessions added by hand, with the time each was added. */
  customs(): { readonly plan: SessionPlan; readonly addedAtMs: number }[] {
    return this.customPlans.map((plan, i) => ({ plan, addedAtMs: this.customAddedAt[i] ?? 0 }));
  }

  /** Longest run of a generated (history or live) session: every change of one lies within it. */
  maxGeneratedDurationMs(): number {
    return Math.max(4 * 3_600_000, 1.5 * this.options.sessionDurationSeconds * 1000) + 1000;
  }

  /** Start of the first live session after t, or Infinity when none will come. */
  nextLiveStartAfter(atMs: number): number {
    if (this.options.ratePerMinute <= 0) return Number.POSITIVE_INFINITY;
    return this.liveStart(this.liveCountAt(atMs));
  }

  /** The plan of session `id`, or null when no such session exists (or it has not started at t). */
  planById(id: string, atMs: number): SessionPlan | null {
    const tail = tailOf(id);
    if (tail === null) return null;
    const kind = Math.floor(tail / 2 ** 40);
    const index = tail % 2 ** 40;
    let plan: SessionPlan | null = null;
    if (kind === SESSION_KINDS.history && index < this.historyStarts.length)
      plan = this.historyPlan(index);
    else if (kind === SESSION_KINDS.live && this.options.ratePerMinute > 0)
      plan = this.livePlan(index);
    else if (kind === SESSION_KINDS.custom) plan = this.customPlans[index] ?? null;
    if (plan === null || plan.id !== id.toLowerCase() || plan.startMs > atMs) return null;
    const deletedAt = this.deleted.get(plan.id);
    return deletedAt !== undefined && deletedAt <= atMs ? null : plan;
  }

  /** Every session started at or before t, oldest first. */
  *plansAt(atMs: number): Generator<SessionPlan> {
    const all = this.window(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, atMs);
    for (let i = 0; i < all.length; i++) yield all.at(i);
  }

  /**
   * The sessions started within [fromMs, toMs] and at or before atMs, oldest first, as a random-access
   * view: history and live sessions are index ranges, so nothing is generated until asked for.
   */
  window(fromMs: number, toMs: number, atMs: number): SessionWindow {
    const limit = Math.min(toMs, atMs);
    const historyFrom = lowerBound(this.historyStarts, fromMs);
    const historyTo = Math.max(historyFrom, this.historyCountAt(limit));
    const liveFrom = this.options.ratePerMinute > 0 ? this.liveCountAt(fromMs - 1) : 0;
    const liveTo = this.options.ratePerMinute > 0 ? Math.max(liveFrom, this.liveCountAt(limit)) : 0;
    const customs = this.customPlans
      .filter((p) => p.startMs >= fromMs && p.startMs <= limit)
      .sort((a, b) => a.startMs - b.startMs);
    const historyCount = historyTo - historyFrom;
    const liveCount = liveTo - liveFrom;
    if (customs.length === 0 && this.deleted.size === 0) {
      return {
        length: historyCount + liveCount,
        at: (i) =>
          i < historyCount
            ? this.historyPlan(historyFrom + i)
            : this.livePlan(liveFrom + i - historyCount),
      };
    }
    // Rare case (sessions added or deleted by hand): merge into one array of plans.
    const merged: SessionPlan[] = [];
    for (let i = historyFrom; i < historyTo; i++) merged.push(this.historyPlan(i));
    for (let k = liveFrom; k < liveTo; k++) merged.push(this.livePlan(k));
    merged.push(...customs);
    merged.sort((a, b) => a.startMs - b.startMs);
    const shown = merged.filter((p) => {
      const deletedAt = this.deleted.get(p.id);
      return deletedAt === undefined || deletedAt > atMs;
    });
    return { length: shown.length, at: (i) => shown[i] ?? this.historyPlan(0) };
  }

  /** Events of a session visible at t. */
  eventPlansAt(plan: SessionPlan, atMs: number): EventPlan[] {
    return planEvents(this.options.seed, plan).filter((e) => e.atMs <= atMs);
  }

  isStopped(plan: SessionPlan, atMs: number): boolean {
    return plan.endMs <= atMs;
  }

  private historyCountAt(atMs: number): number {
    return upperBound(this.historyStarts, atMs);
  }

  private liveInterval(): number {
    return 60_000 / this.options.ratePerMinute;
  }

  private liveStart(k: number): number {
    return Math.floor(
      this.options.startTime + (k + unit(this.options.seed, k, 5)) * this.liveInterval(),
    );
  }

  /** Number of live sessions started at or before t. */
  private liveCountAt(atMs: number): number {
    if (this.options.ratePerMinute <= 0 || atMs < this.options.startTime) return 0;
    const k = Math.floor((atMs - this.options.startTime) / this.liveInterval());
    return this.liveStart(k) <= atMs ? k + 1 : k;
  }

  private historyPlan(index: number): SessionPlan {
    const seed = this.options.seed;
    const longRun = unit(seed, tailFor(SESSION_KINDS.history, index), 8) < 0.1;
    const durationMs = longRun
      ? 3_600_000 + unit(seed, index, 9) * 3 * 3_600_000
      : 20_000 + unit(seed, index, 9) * 45 * 60_000;
    return basePlan({
      seed,
      kind: SESSION_KINDS.history,
      index,
      startMs: this.historyStarts[index] ?? this.options.startTime,
      durationMs: Math.floor(durationMs),
      organizations: this.options.organizations,
      maxItemEvents: HISTORY_MAX_EVENTS,
    });
  }

  private livePlan(k: number): SessionPlan {
    const seed = this.options.seed;
    const factor = 0.5 + unit(seed, tailFor(SESSION_KINDS.live, k), 10);
    return basePlan({
      seed,
      kind: SESSION_KINDS.live,
      index: k,
      startMs: this.liveStart(k),
      durationMs: Math.floor(this.options.sessionDurationSeconds * 1000 * factor),
      organizations: this.options.organizations,
      maxItemEvents: LIVE_MAX_EVENTS,
    });
  }
}
