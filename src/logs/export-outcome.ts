// Pure classification of an OTLP/HTTP answer: delivered, retry later, or rejected (bisect and
// dead-letter); the reasons are the bounded labels of the vbo_log_* metrics.
import { PLAIN_HTTP_TO_TLS } from "../protocol-mismatch.ts";

export type ExportOutcome =
  | {
      readonly kind: "delivered";
      /** OTLP partial success: the receiver dropped this many records it does not name. */
      readonly rejectedRecords: number;
      readonly message: string;
    }
  | {
      readonly kind: "retry";
      readonly reason: string;
      readonly retryAfterMs: number | null;
      readonly status: number | null;
      readonly message: string;
    }
  | {
      readonly kind: "rejected";
      readonly reason: string;
      readonly status: number;
      readonly message: string;
    };

/** What the receiver's error text says about a rejected record (Loki's wording, then generic). */
export function rejectionReason(status: number, message: string): string {
  if (/too old|greater than max age|reject_old_samples/i.test(message)) return "too_old";
  if (/too far behind|out of order|out-of-order/i.test(message)) return "out_of_order";
  if (/too new|in the future/i.test(message)) return "too_new";
  if (status === 413 || /too long|too large|exceeds? .*(size|limit)/i.test(message)) {
    return "too_large";
  }
  if (/structured metadata/i.test(message)) return "structured_metadata";
  return "bad_request";
}

/**
 * `scrub` removes the configured secrets from the receiver's text (a receiver may echo the
 * Authorization header): every message of the outcome is scrubbed, as it goes to logs and state.
 *
 * The OTLP spec retries 429, 502, 503 and 504 only. This sender also retries every other 5xx and
 * the configuration errors 401, 403, 404, 405, 407, 415 and Loki's "structured metadata disallowed": for an audit trail a Loki incident or
 * a wrong token must delay records, never dead-letter all of them. The remaining 4xx (400, 413,
 * 422, ...) depend on the records themselves: the batch is bisected and the culprits dead-lettered.
 */
export function classifyResponse(
  status: number,
  retryAfterMs: number | null,
  bodyText: string,
  partial: { rejectedLogRecords: number; errorMessage: string } | null,
  scrub: (text: string) => string = (text) => text,
): ExportOutcome {
  // The receiver's words are scrubbed before they are cut: a cut could leave half a secret.
  const message = scrub(bodyText.trim()).slice(0, 500);
  if (status >= 200 && status < 300) {
    return {
      kind: "delivered",
      rejectedRecords: partial?.rejectedLogRecords ?? 0,
      message: scrub(partial?.errorMessage ?? "").slice(0, 500),
    };
  }
  const retry = (reason: string, text = message): ExportOutcome => ({
    kind: "retry",
    reason,
    retryAfterMs,
    status,
    message: `HTTP ${status}${text ? `: ${text}` : ""}`,
  });
  if (status === 429) return retry("rate_limited");
  if (status === 408) return retry("timeout");
  if (status === 502 || status === 503 || status === 504) return retry("unavailable");
  if (status >= 500) return retry("server_error");
  if (status === 401 || status === 407) return retry("unauthorized");
  if (status === 403) return retry("forbidden");
  if (status === 404 || status === 405) return retry("not_found");
  if (status === 415) return retry("unsupported_media_type");
  // A proxy's TLS port answering plain HTTP refuses every request alike: the endpoint needs https://.
  if (status === 400 && PLAIN_HTTP_TO_TLS.test(message)) {
    return retry(
      "receiver_config",
      "the OTLP endpoint's port speaks TLS (it answered HTTP 400: the plain HTTP request was sent to an HTTPS port): use https:// in logs.otlp.endpoint (or OTEL_EXPORTER_OTLP_LOGS_ENDPOINT)",
    );
  }
  // Loki refusing structured metadata altogether (allow_structured_metadata: false) rejects every
  // record alike: a receiver configuration error to wait out, not records to dead-letter.
  if (status === 400 && /structured metadata.*(disallowed|not allowed|disabled)/i.test(message)) {
    return retry("receiver_config");
  }
  if (status >= 400) {
    return { kind: "rejected", reason: rejectionReason(status, message), status, message };
  }
  // Redirects are not followed (a POST body and credentials must not move to another address
  // unasked): the endpoint is set to the address it redirects to.
  if (status >= 300 && status < 400) {
    return retry(
      "redirect",
      "the endpoint redirects elsewhere; set logs.otlp.endpoint (or OTEL_EXPORTER_OTLP_LOGS_ENDPOINT) to the address it redirects to",
    );
  }
  return retry("unexpected_status");
}
