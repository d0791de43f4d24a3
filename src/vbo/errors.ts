// Typed failures of the VBO REST client: a bounded reason plus where it happened, never a secret.
import { ExporterError } from "../errors.ts";

export type VboErrorReason =
  | "bad_credentials"
  | "tls"
  | "unreachable"
  | "timeout"
  | "bad_response"
  | "server_error"
  | "throttled"
  | "not_found"
  | "unsupported_version"
  /** VBO refused a change (HTTP 400 to a POST or PUT): its message says why. */
  | "refused"
  | "aborted"
  /** v8 change feed: the server no longer knows the change token; start again from=latest. */
  | "change_token_expired"
  /** A listing kept paging past what its query can return (see paginate.ts); it was stopped. */
  | "paging_runaway";

/** Where a failure happened: the request line and the HTTP status when there was one. */
export interface VboErrorContext {
  readonly method?: string;
  /** Path and query only (never credentials: they are not allowed in URLs). */
  readonly path?: string;
  readonly status?: number;
}

export class VboError extends ExporterError {
  override readonly name = "VboError";
  declare readonly reason: VboErrorReason;
  readonly method: string | null;
  readonly path: string | null;
  readonly status: number | null;

  constructor(
    reason: VboErrorReason,
    message: string,
    context: VboErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(
      reason,
      context.path === undefined
        ? message
        : `${message} (${context.method ?? "GET"} ${context.path})`,
      options,
    );
    this.method = context.method ?? null;
    this.path = context.path ?? null;
    this.status = context.status ?? null;
  }

  /** The same failure with the request it belongs to, when it did not know yet. */
  withContext(context: VboErrorContext): VboError {
    if (this.path !== null || context.path === undefined) return this;
    return new VboError(this.reason, this.message, context, { cause: this });
  }
}

/** Failures worth trying again after a pause: the server or the network, not the request. */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof VboError &&
    (error.reason === "server_error" ||
      error.reason === "unreachable" ||
      error.reason === "timeout")
  );
}

/** Cuts untrusted text (server messages, bad values) to a length safe to put in a message. */
export function clip(text: string, max = 120): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max)}…`;
}
