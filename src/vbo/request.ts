// Sending with retries: exponential backoff with full jitter on 5xx and network failures, and the
// server's Retry-After on 429; a proxy's TLS port reached over http:// is named. Everything else is
// handed back to the caller to interpret.

import type { Agent as HttpAgent } from "node:http";
import type { Agent as HttpsAgent } from "node:https";
import type { Clock } from "../clock.ts";
import type { Logger } from "../logger.ts";
import { plainHttpToTlsPort } from "../protocol-mismatch.ts";
import { parseRetryAfter } from "../retry-after.ts";
import { backoffDelayMs } from "./backoff.ts";
import { errorSummary } from "./body.ts";
import { isTransient, VboError, type VboErrorContext } from "./errors.ts";
import { exchange, type HttpResponse } from "./transport.ts";

/** What every request of one client shares. */
export interface Transport {
  readonly agent: HttpAgent | HttpsAgent;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random: () => number;
  /** User-Agent header of every request. */
  readonly userAgent: string;
  /** Longest Retry-After honoured; a longer demand fails as throttled. */
  readonly maxRetryAfterMs: number;
  /** Largest answer body accepted per request (bytes). */
  readonly maxBodyBytes: number;
  /** Strings that must never appear in an error message (password, tokens). */
  secrets(): readonly string[];
  /** Called once per HTTP request actually sent. */
  countRequest(): void;
}

export interface SendOptions {
  readonly method: "GET" | "POST" | "PUT";
  readonly url: URL;
  /** Built per attempt, so a retried call can carry a fresh token. */
  readonly headers: () => Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal | undefined;
  /** This request's own timeout (a long poll waits longer than the transport's default). */
  readonly timeoutMs?: number;
  /** Awaited before each attempt (the token endpoint uses it to keep its pace). */
  readonly beforeSend?: (signal?: AbortSignal) => Promise<void>;
}

/** Sleeps on the transport's clock; an abort becomes VboError(aborted). */
export async function pause(
  transport: Transport,
  ms: number,
  signal: AbortSignal | undefined,
  context: VboErrorContext,
): Promise<void> {
  if (ms <= 0 && !signal?.aborted) return;
  try {
    await transport.clock.sleep(ms, signal);
  } catch (error) {
    throw new VboError("aborted", "request aborted while waiting to retry", context, {
      cause: error,
    });
  }
}

/**
 * Sends until an answer that is neither 5xx nor 429 arrives, or the retries run out
 * (then server_error, throttled, or the last network error).
 */
export async function sendWithRetry(
  transport: Transport,
  options: SendOptions,
): Promise<HttpResponse> {
  const { url, method, signal } = options;
  const context: VboErrorContext = { method, path: `${url.pathname}${url.search}` };
  let attempt = 0;
  let throttled = 0;
  for (;;) {
    if (options.beforeSend !== undefined) await options.beforeSend(signal);
    let response: HttpResponse;
    try {
      transport.countRequest();
      response = await exchange({
        method,
        url,
        headers: { "user-agent": transport.userAgent, ...options.headers() },
        ...(options.body === undefined ? {} : { body: options.body }),
        timeoutMs: options.timeoutMs ?? transport.timeoutMs,
        signal,
        agent: transport.agent,
        secrets: transport.secrets(),
        maxBodyBytes: transport.maxBodyBytes,
      });
    } catch (error) {
      if (!isTransient(error) || attempt >= transport.maxRetries) throw error;
      const delay = backoffDelayMs(attempt, transport.random);
      transport.logger.debug(
        {
          method,
          path: context.path,
          attempt: attempt + 1,
          delayMs: delay,
          reason: (error as VboError).reason,
        },
        "VBO request failed; retrying",
      );
      attempt += 1;
      await pause(transport, delay, signal, context);
      continue;
    }
    // A proxy's TLS port answering plain HTTP refuses every request alike, whatever is asked
    // (the body is read as text only for a 400, never for the pages of a listing).
    if (response.status === 400) {
      const mismatch = plainHttpToTlsPort(
        400,
        response.body.toString("utf8"),
        url,
        "the VBO server",
      );
      if (mismatch !== null)
        throw new VboError("unreachable", mismatch, { ...context, status: 400 });
    }
    if (response.status === 429) {
      const asked = parseRetryAfter(response.headers["retry-after"], transport.clock.now());
      const delay = asked ?? backoffDelayMs(throttled, transport.random, 1000);
      if (throttled >= transport.maxRetries || delay > transport.maxRetryAfterMs) {
        throw new VboError(
          "throttled",
          `VBO kept answering 429 Too Many Requests${asked === null ? "" : ` (Retry-After ${Math.ceil(asked / 1000)} s)`}`,
          { ...context, status: 429 },
        );
      }
      transport.logger.warn(
        { method, path: context.path, delayMs: delay },
        "VBO throttled the request (429); waiting as asked",
      );
      throttled += 1;
      await pause(transport, delay, signal, context);
      continue;
    }
    if (response.status >= 500) {
      const summary = errorSummary(response, transport.secrets()).text;
      if (attempt >= transport.maxRetries) {
        throw new VboError(
          "server_error",
          `VBO answered HTTP ${response.status} (${summary}) ${attempt + 1} time(s)`,
          { ...context, status: response.status },
        );
      }
      const delay = backoffDelayMs(attempt, transport.random);
      transport.logger.debug(
        {
          method,
          path: context.path,
          status: response.status,
          attempt: attempt + 1,
          delayMs: delay,
        },
        "VBO server error; retrying",
      );
      attempt += 1;
      await pause(transport, delay, signal, context);
      continue;
    }
    return response;
  }
}
