// Base error of the product: every failure carries a short, bounded reason for metrics and logs.

export class ExporterError extends Error {
  override readonly name: string = "ExporterError";
  /** A bounded label value, e.g. bad_credentials, unreachable, tls, bad_response. */
  readonly reason: string;

  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** The reason label for any thrown value; unknown errors become "internal". */
export function toReason(error: unknown): string {
  if (error instanceof ExporterError) return error.reason;
  if (error instanceof Error && error.name === "AbortError") return "aborted";
  return "internal";
}

/** A one-line message for logs; never includes a stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
