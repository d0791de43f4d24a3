// Reports on demand for the web: one organization's period read from its VBO server through the
// pollers' clients, checked against that server's current watchlist, a few at once (a report
// reads many pages), finished reports of past periods kept a while so a reload costs nothing.
import pLimit from "p-limit";
import { resolveName } from "../audit/resolve.ts";
import type { Watchlist } from "../audit/watchlist.ts";
import { ExporterError } from "../errors.ts";
import { organizationLabel } from "../pipeline/labels.ts";
import type { Organization, VboClient } from "../vbo/types.ts";
import { collectReport, ReportTooLarge } from "./collect-report.ts";
import type { RestoreReport } from "./restore-report.ts";

export interface ReportTarget {
  readonly server: string;
  /** The organization label value (VBO's name). */
  readonly organization: string;
}

export interface ReportQuery extends ReportTarget {
  readonly fromMs: number;
  readonly toMs: number;
  /**
   * Refuse an organization the server does not list (the provider's typo); false for a tenant
   * user's own organization, whose report of a removed organization is simply empty.
   */
  readonly mustExist: boolean;
}

export interface ReportService {
  /** The names of the servers reports can be made for, in configuration order. */
  readonly servers: readonly string[];
  /** Every organization of every server that answered; `unanswered` names those that did not. */
  organizations(
    signal: AbortSignal,
  ): Promise<{ list: readonly ReportTarget[]; unanswered: readonly string[] }>;
  report(query: ReportQuery, signal: AbortSignal): Promise<RestoreReport>;
}

export type ReportClient = Pick<
  VboClient,
  "listOrganizations" | "listRestoreSessions" | "listRestoreSessionEvents"
>;

export interface ReportServiceOptions {
  readonly clients: ReadonlyMap<string, ReportClient>;
  /** The server's current watchlist (absent: nothing watched). */
  readonly watchlist: (server: string) => Watchlist | undefined;
  readonly now: () => number;
  /** Reports read from VBO at once (default 2). */
  readonly concurrent?: number;
  /** Reports allowed to wait; beyond that one is refused at once (default 4). */
  readonly queued?: number;
  /** How long a finished report of a period already over is kept (default 10 min). */
  readonly keepMs?: number;
  /** Most sessions one report reads (default 20 000): the report is held in memory whole. */
  readonly maxSessions?: number;
  /** Told every 1000 sessions read of one report: a long period takes minutes. */
  readonly progress?: (query: ReportQuery, sessionsRead: number) => void;
}

const KEPT_REPORTS = 16;
/** A report kept for reloads has at most this many sessions and items (they are the bulk). */
const KEPT_MAX_ROWS = 20_000;
const ORGANIZATIONS_KEEP_MS = 60_000;

export function createReportService(options: ReportServiceOptions): ReportService {
  const limit = pLimit(options.concurrent ?? 2);
  const queued = options.queued ?? 4;
  const keepMs = options.keepMs ?? 600_000;
  const kept = new Map<string, { report: RestoreReport; until: number }>();
  const known = new Map<
    string,
    { list: readonly Organization[]; names: ReadonlySet<string>; until: number }
  >();

  const organizationsOf = async (server: string, signal: AbortSignal) => {
    const cached = known.get(server);
    if (cached && cached.until > options.now()) return cached;
    const client = options.clients.get(server);
    if (client === undefined) throw new ExporterError("not_found", "no such server");
    const list = await client.listOrganizations(signal);
    const entry = {
      list,
      names: new Set(list.map((o) => organizationLabel(o.name))),
      until: options.now() + ORGANIZATIONS_KEEP_MS,
    };
    known.set(server, entry);
    return entry;
  };

  /**
   * The organization label the provider meant: the name as typed, or the organization whose name,
   * Microsoft 365 domain or id it is (letter case ignored), as the report command takes them.
   */
  const resolveOrganization = async (server: string, typed: string, signal: AbortSignal) => {
    const { list, names } = await organizationsOf(server, signal);
    if (names.has(typed)) return typed;
    const resolution = resolveName(
      typed,
      list.map((o) => ({
        value: o,
        keys: [o.id, o.name, o.officeName],
        label: `"${organizationLabel(o.name)}"`,
      })),
    );
    if (resolution.kind === "found") return organizationLabel(resolution.value.name);
    const hint =
      resolution.kind === "ambiguous"
        ? `; it matches ${resolution.labels.join(" and ")}: name one exactly`
        : resolution.nearest.length === 0
          ? ""
          : `; did you mean ${resolution.nearest.join(" or ")}?`;
    throw new ExporterError(
      "not_found",
      `VBO server "${server}" has no organization named "${typed}" (names are as the organization label has them; a Microsoft 365 domain or id works too)${hint}`,
    );
  };

  return {
    servers: [...options.clients.keys()],
    async organizations(signal) {
      const answers = await Promise.allSettled(
        [...options.clients.keys()].map(async (server) => ({
          server,
          names: (await organizationsOf(server, signal)).names,
        })),
      );
      const list: ReportTarget[] = [];
      const unanswered: string[] = [];
      answers.forEach((answer, i) => {
        if (answer.status === "fulfilled")
          for (const organization of [...answer.value.names].sort())
            list.push({ server: answer.value.server, organization });
        else unanswered.push([...options.clients.keys()][i] ?? "");
      });
      return { list, unanswered };
    },
    async report(query, signal) {
      const client = options.clients.get(query.server);
      if (client === undefined)
        throw new ExporterError(
          "not_found",
          `no VBO server named "${query.server}" is polled here`,
        );
      // Checked before the kept reports: a tenant's empty report of a removed organization must
      // not answer the provider's request for that name.
      const organization = query.mustExist
        ? await resolveOrganization(query.server, query.organization, signal)
        : query.organization;
      const key = JSON.stringify([query.server, organization, query.fromMs, query.toMs]);
      const hit = kept.get(key);
      if (hit && hit.until > options.now()) return hit.report;
      if (limit.pendingCount >= queued)
        throw new ExporterError(
          "busy",
          "too many reports are being read from VBO at once; try again in a minute",
        );
      return limit(async () => {
        signal.throwIfAborted();
        const watchlist = options.watchlist(query.server);
        const maxSessions = options.maxSessions ?? 20_000;
        const report = await collectReport(client, {
          maxSessions,
          server: query.server,
          organization,
          fromMs: query.fromMs,
          toMs: query.toMs,
          signal,
          onSession: (read) => {
            if (read % 1000 === 0) options.progress?.(query, read);
          },
          ...(watchlist === undefined ? {} : { watchlist }),
        }).catch((error: unknown) => {
          if (!(error instanceof ReportTooLarge)) throw error;
          throw new ExporterError(
            "too_large",
            `${error.message}, more than one web report reads (it is held in memory whole): ask for a shorter period, or use the report command, which reads any number`,
          );
        });
        // Only a period over whose sessions have all ended can no longer change; a big report
        // is not kept (sixteen of them could take much of the exporter's memory).
        if (
          query.toMs <= options.now() &&
          report.sessions.length + report.items.length <= KEPT_MAX_ROWS &&
          report.sessions.every((s) => s.end !== null)
        ) {
          kept.set(key, { report, until: options.now() + keepMs });
          for (const [k, v] of kept)
            if (kept.size > KEPT_REPORTS || v.until <= options.now()) kept.delete(k);
        }
        return report;
      });
    },
  };
}
