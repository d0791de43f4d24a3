// The feed of watched accesses in the state: one row per restore event that touched a watched
// subject, written in the batch's transaction, read by cursor (a growing sequence number) and
// pruned past the retention.
import type { DatabaseSync } from "node:sqlite";
import { splitClientHost } from "../pipeline/labels.ts";
import type { WatchedAccessView } from "../pipeline/status.ts";
import type { PollResult } from "../pipeline/types.ts";

/** A feed row; the shape the web feed serves. */
export type WatchedAccess = WatchedAccessView;

/** Texts from VBO are bounded: a feed row never carries more than this of one field. */
const MAX_TEXT = 2_048;
const clip = (text: string | null) => (text === null ? null : text.slice(0, MAX_TEXT));

export interface WatchedAccessTable {
  /** Inserts the batch's watched events (inside the caller's transaction); returns how many. */
  insert(result: PollResult): number;
  list(since: number, limit: number): WatchedAccess[];
  /** The newest `limit` rows, newest first. */
  latest(limit: number): WatchedAccess[];
  /** Deletes rows observed before `beforeMs`; returns how many. */
  prune(beforeMs: number): number;
}

/** A row as SQLite returns it. */
type AccessRow = {
  seq: number;
  server: string;
  organization: string | null;
  subject: string;
  session_id: string;
  event_id: string;
  event_type: string;
  status: string;
  time_text: string;
  initiated_by: string | null;
  client_host: string | null;
  client_gateway: string | null;
  restore_type: string;
  item_name: string | null;
  item_source: string | null;
  item_target: string | null;
  observed_ms: number;
};

const toView = (r: AccessRow): WatchedAccess => ({
  seq: Number(r.seq),
  server: r.server,
  organization: r.organization,
  subject: r.subject,
  sessionId: r.session_id,
  eventId: r.event_id,
  eventType: r.event_type,
  status: r.status,
  time: r.time_text,
  initiatedBy: r.initiated_by,
  clientHost: r.client_host,
  clientGateway: r.client_gateway,
  restoreType: r.restore_type,
  itemName: r.item_name,
  itemSource: r.item_source,
  itemTarget: r.item_target,
  observedAtMs: Number(r.observed_ms),
});

export function watchedAccessTable(db: DatabaseSync): WatchedAccessTable {
  const insert = db.prepare(
    `INSERT INTO watched_accesses (server, organization, subject, session_id, event_id, event_type, status, time_text, time_ns, initiated_by, client_host, client_gateway, restore_type, item_name, item_source, item_target, observed_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // time_ns (nanoseconds, beyond a double) stays in the table for ordering; rows carry the text.
  const list = db.prepare(
    `SELECT seq, server, organization, subject, session_id, event_id, event_type, status, time_text,
       initiated_by, client_host, client_gateway, restore_type, item_name, item_source, item_target, observed_ms
     FROM watched_accesses WHERE seq > ? ORDER BY seq LIMIT ?`,
  );
  const latest = db.prepare(
    `SELECT seq, server, organization, subject, session_id, event_id, event_type, status, time_text,
       initiated_by, client_host, client_gateway, restore_type, item_name, item_source, item_target, observed_ms
     FROM watched_accesses ORDER BY seq DESC LIMIT ?`,
  );
  const prune = db.prepare("DELETE FROM watched_accesses WHERE observed_ms < ?");
  return {
    insert(result) {
      const observedMs = Number(result.observedAtNs / 1_000_000n);
      let n = 0;
      for (const { session, event, watched } of result.newEvents) {
        if (watched === undefined) continue;
        const host = splitClientHost(session.clientHost);
        insert.run(
          result.server,
          clip(session.organization),
          watched,
          session.id,
          event.id,
          event.type,
          event.status,
          event.startTime.text,
          event.startTime.ns,
          clip(session.initiatedBy),
          clip(host.host),
          clip(host.gateway),
          session.type,
          clip(event.itemName),
          clip(event.source),
          clip(event.target),
          observedMs,
        );
        n++;
      }
      return n;
    },
    list(since, limit) {
      return (
        list.all(Math.max(0, Math.floor(since)), Math.max(0, Math.floor(limit))) as AccessRow[]
      ).map(toView);
    },
    latest(limit) {
      return (latest.all(Math.max(0, Math.floor(limit))) as AccessRow[]).map(toView);
    },
    prune(beforeMs) {
      return Number(prune.run(Math.floor(beforeMs)).changes);
    },
  };
}
