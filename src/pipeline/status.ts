// Read-only views the HTTP surface shows: per-server poll status and the latest restore sessions.
import type { ProgressFigures } from "../poller/progress.ts";
import type { ApiVersion } from "../vbo/types.ts";

export interface ServerStatus {
  readonly server: string;
  /** Base URL without credentials. */
  readonly url: string;
  readonly apiVersion: ApiVersion | null;
  /** VBO product build from /ServiceInstance, when known. */
  readonly serverVersion: string | null;
  /** True when the last poll succeeded. */
  readonly up: boolean;
  readonly polls: number;
  /** Epoch milliseconds. */
  readonly lastPollStartedAt: number | null;
  readonly lastSuccessAt: number | null;
  readonly lastError: {
    readonly reason: string;
    readonly message: string;
    readonly at: number;
  } | null;
  /** How far a backfill (or any long poll) under way has come; null or absent when none is. */
  readonly progress?: ProgressFigures | null;
}

export interface RecentSession {
  readonly server: string;
  readonly id: string;
  readonly organization: string;
  /** exchange | onedrive | sharepoint | teams, or the raw value lower-cased. */
  readonly restoreType: string;
  readonly clientHost: string;
  readonly initiatedBy: string | null;
  /** ISO 8601 text as VBO sent it. */
  readonly creationTime: string;
  readonly endTime: string | null;
  readonly state: string;
  readonly result: string;
  readonly eventCount: number;
}

/** One event of a session, as the session page shows it (times as VBO sent them). */
export interface SessionEvent {
  readonly id: string;
  /** None (lifecycle) | Save | Export | Send | Restore | View, or VBO's raw value. */
  readonly type: string;
  readonly status: string;
  readonly startTime: string;
  readonly endTime: string | null;
  readonly durationSeconds: number | null;
  readonly title: string | null;
  readonly message: string;
  readonly itemName: string | null;
  readonly itemType: string | null;
  readonly itemSizeBytes: number;
  readonly source: string | null;
  readonly target: string | null;
}

export interface SessionEvents {
  /** In the order VBO lists them, at most the reader's limit. */
  readonly events: readonly SessionEvent[];
  /** True when the session has more events than were read. */
  readonly truncated: boolean;
}

/**
 * Reads one session's events from its VBO server on demand (the session page), so the web layer
 * never holds a VBO client. Rejects with an error whose message is safe to show (no secrets).
 */
export interface SessionReader {
  events(server: string, sessionId: string, signal: AbortSignal): Promise<SessionEvents>;
}

/** One restore event that touched a watched subject, as the feed of watched accesses shows it. */
export interface WatchedAccessView {
  readonly seq: number;
  readonly server: string;
  readonly organization: string | null;
  readonly subject: string;
  readonly sessionId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly status: string;
  readonly time: string;
  readonly initiatedBy: string | null;
  readonly clientHost: string | null;
  readonly clientGateway: string | null;
  readonly restoreType: string;
  readonly itemName: string | null;
  readonly itemSource: string | null;
  readonly itemTarget: string | null;
  readonly observedAtMs: number;
}

/** Reads the watched accesses after a cursor (0: the oldest kept), oldest first, at most `limit`. */
export type WatchedAccessFeed = (since: number, limit: number) => readonly WatchedAccessView[];
