// Typed failures of the log pipeline: the reason is what metrics and logs show.
import { ExporterError } from "../errors.ts";

/**
 * The outbox holds its configured maximum of pending records. Thrown from the sink inside the
 * state store's transaction so that the whole poll batch rolls back and the poller retries it
 * later: backpressure, nothing is lost, the audit trail is only delayed.
 */
export class OutboxFullError extends ExporterError {
  override readonly name = "OutboxFullError";
  readonly pending: number;
  readonly limit: number;

  constructor(pending: number, limit: number) {
    super(
      "outbox_full",
      `the log outbox holds ${pending} records (limit ${limit}); the poll batch is refused until the log receiver catches up`,
    );
    this.pending = pending;
    this.limit = limit;
  }
}

/** A failed export attempt; reason is the bounded label of vbo_log_export_failures_total. */
export class ExportError extends ExporterError {
  override readonly name = "ExportError";
  /** HTTP status, when the receiver answered. */
  readonly status: number | null;

  constructor(
    reason: string,
    message: string,
    status: number | null,
    options?: { cause?: unknown },
  ) {
    super(reason, message, options);
    this.status = status;
  }
}
