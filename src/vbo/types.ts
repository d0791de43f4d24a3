// Domain types of the VBO REST client: what the rest of the pipeline sees instead of raw JSON.
import type { ServerTime } from "./server-time.ts";
import type { OnUnreadable } from "./unreadable.ts";

export type { ServerTime } from "./server-time.ts";

export type ApiVersion = "v6" | "v7" | "v8";
export const API_VERSIONS: readonly ApiVersion[] = ["v8", "v7", "v6"];

/** A VBO timestamp, parsed to nanoseconds since the Unix epoch without losing digits. */
export interface Timestamp {
  /** Nanoseconds since 1970-01-01T00:00:00Z. */
  readonly ns: bigint;
  /** The text exactly as VBO sent it (for display and audit). */
  readonly text: string;
}

/** One restore session as VBO reports it. Enum-like fields keep VBO's raw value, known or not. */
export interface RestoreSession {
  readonly id: string;
  readonly name: string | null;
  /** Organization name as VBO sends it (sessions carry no organization id). */
  readonly organization: string | null;
  /** Raw type: Vex | Veod | Vesp | Vet, or whatever a newer server sends. */
  readonly type: string;
  /** The session's start (VBO calls it creationTime). */
  readonly creationTime: Timestamp;
  readonly endTime: Timestamp | null;
  /** Raw state: Working | Stopped (older builds: Starting | Stopping), or unknown values. */
  readonly state: string;
  /** Raw result: Success | Warning | Failed, or unknown values. */
  readonly result: string;
  readonly initiatedBy: string | null;
  readonly details: string | null;
  readonly scopeName: string | null;
  /** Raw clientHost, e.g. `BXYDEV01 (via: 203.0.113.10)`; null when missing. */
  readonly clientHost: string | null;
  readonly reason: string | null;
  /** v8 only: bumps on every change. */
  readonly eTag: number | null;
}

/** One event inside a restore session (lifecycle entries have type None). */
export interface RestoreEvent {
  readonly id: string;
  readonly sessionId: string;
  /** Raw type: None | Save | Export | Send | Restore | View, or unknown values. */
  readonly type: string;
  /** Raw status: Running | Success | Warning | Failed | Cancelled | Skipped, or unknown values. */
  readonly status: string;
  readonly startTime: Timestamp;
  readonly endTime: Timestamp | null;
  /** .NET time-span text as sent (`00:00:00.0446928`, `1.02:03:04`), null when missing. */
  readonly durationText: string | null;
  /** The duration in seconds, null when missing or unparseable. */
  readonly durationSeconds: number | null;
  readonly title: string | null;
  readonly message: string;
  readonly order: number;
  readonly itemName: string | null;
  readonly itemType: string | null;
  readonly itemSizeBytes: number;
  readonly source: string | null;
  readonly target: string | null;
  /** v8 only ids (null when absent). */
  readonly organizationId: string | null;
  readonly backedUpOrganizationId: string | null;
  readonly userId: string | null;
  readonly groupId: string | null;
  readonly siteId: string | null;
  readonly teamId: string | null;
}

export interface Organization {
  readonly id: string;
  readonly name: string;
  readonly officeName: string | null;
  readonly type: string | null;
  readonly region: string | null;
}

export interface OrganizationUser {
  readonly id: string;
  readonly displayName: string | null;
  /** UPN / e-mail. */
  readonly name: string | null;
  readonly type: string | null;
  readonly locationType: string | null;
}

export interface ServiceInstance {
  readonly installationId: string | null;
  /** Product build, e.g. 8.1.0.305. */
  readonly version: string | null;
}

export interface ListSessionsQuery {
  readonly startTimeFrom?: Date;
  readonly startTimeTo?: Date;
  /** v8 only. */
  readonly endTimeFrom?: Date;
  readonly endTimeTo?: Date;
  /** Page size asked for; the server may cap it. */
  readonly pageSize?: number;
}

export interface ListEventsOptions {
  /** Skip the first events (VBO's order): an idle re-read of a running session asks only for new ones. */
  readonly fromOffset?: number;
  /** Told of each event that cannot be read; it is passed over (without: it fails the listing). */
  readonly onUnreadable?: OnUnreadable;
}

/** What the v8 change feed reported since a change token. */
export interface RestoreSessionChanges {
  /** Pass it as `from` on the next call. */
  readonly nextToken: string;
  /** Sessions created or changed, with their latest eTag. */
  readonly updated: ReadonlyMap<string, number>;
  /** Sessions deleted (never also in updated). */
  readonly deleted: ReadonlySet<string>;
}

/**
 * What the poller needs from a VBO server. Implemented by src/vbo/client.ts; every method
 * throws a VboError subclass (see src/vbo/errors.ts) on failure and honours the AbortSignal.
 */
export interface VboClient {
  /** The API version in use (resolved once when configured as auto). */
  apiVersion(signal?: AbortSignal): Promise<ApiVersion>;
  serviceInstance(signal?: AbortSignal): Promise<ServiceInstance>;
  /**
   * Every session matching the query, all pages, in the order the server returns them. A session
   * that cannot be read is told to `onUnreadable` and passed over (without it: fails the listing).
   */
  listRestoreSessions(
    query: ListSessionsQuery,
    signal?: AbortSignal,
    onUnreadable?: OnUnreadable,
  ): AsyncIterable<RestoreSession>;
  /** A session by id; one that cannot be read throws a RecordError with its `record` set. */
  getRestoreSession(id: string, signal?: AbortSignal): Promise<RestoreSession>;
  /** Every event of a session from options.fromOffset (default 0) on, all pages, in VBO's order. */
  listRestoreSessionEvents(
    sessionId: string,
    signal?: AbortSignal,
    options?: ListEventsOptions,
  ): AsyncIterable<RestoreEvent>;
  /**
   * v8 only (absent on clients that cannot offer it): restore sessions created, changed or deleted
   * since the change token `from` ("latest" for none, just a token), waiting up to timeoutSeconds
   * for a first change. Reads every page of changes there is. Throws VboError
   * `change_token_expired` when the server no longer knows the token.
   */
  restoreSessionChanges?(
    from: string,
    timeoutSeconds: number,
    signal?: AbortSignal,
  ): Promise<RestoreSessionChanges>;
  listOrganizations(signal?: AbortSignal): Promise<Organization[]>;
  listOrganizationUsers(
    organizationId: string,
    signal?: AbortSignal,
  ): AsyncIterable<OrganizationUser>;
  /** Requests sent so far (for self-metrics and the idle-poll cost tests). */
  requestCount(): number;
  /**
   * The server's clock as the Date header of the latest API answer showed it; null before the
   * first answer or when that answer carried no usable Date header.
   */
  serverTime(): ServerTime | null;
}
