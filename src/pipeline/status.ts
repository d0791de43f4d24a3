// Read-only views the HTTP surface shows: per-server poll status and the latest restore sessions.
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
