// One HTTP exchange with VBO over node:http/https: per-request timeout, the caller's AbortSignal,
// a bounded body, and network/TLS failures turned into VboErrors that say what to change.
import type { Agent as HttpAgent, IncomingHttpHeaders } from "node:http";
import { request as httpRequest } from "node:http";
import type { Agent as HttpsAgent } from "node:https";
import { request as httpsRequest } from "node:https";
import { protocolMismatch } from "../protocol-mismatch.ts";
import { scrub } from "../secrets/scrub.ts";
import { clip, VboError, type VboErrorContext } from "./errors.ts";

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface ExchangeOptions {
  readonly method: "GET" | "POST" | "PUT";
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly agent: HttpAgent | HttpsAgent;
  /** Largest body accepted (default 32 MiB); more is a bad_response rather than a memory blow-up. */
  readonly maxBodyBytes?: number;
  /** Kept out of network error messages (a certificate's names, say, come from the server). */
  readonly secrets?: readonly string[];
}

/** Default bound of one answer: a page of 1000 sessions or events is about 1-2 MB. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "EPROTO",
]);

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
]);

function errorCode(error: unknown): string {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === "string") return code;
  }
  return "";
}

/** Turns a socket-level failure into a VboError with a hint about the option that fixes it. */
export function networkError(
  error: unknown,
  url: URL,
  context: VboErrorContext,
  secrets: readonly string[] = [],
): VboError {
  if (error instanceof VboError) return error;
  const code = errorCode(error);
  const detail = clip(scrub(error instanceof Error ? error.message : String(error), secrets));
  const target = `${url.protocol}//${url.host}`;
  const mismatch = protocolMismatch(error, url, "the VBO server");
  if (mismatch !== null)
    return new VboError(url.protocol === "https:" ? "tls" : "unreachable", mismatch, context, {
      cause: error,
    });
  if (
    TLS_CODES.has(code) ||
    code.startsWith("ERR_SSL_") ||
    code.startsWith("ERR_TLS_") ||
    code.startsWith("CERT_")
  ) {
    const hint =
      code === "ERR_TLS_CERT_ALTNAME_INVALID"
        ? "use the host name the certificate was issued for in the server URL"
        : "set tls.caFile to the PEM file of the CA that signed the VBO certificate, or (lab only) tls.insecureSkipVerify: true";
    return new VboError(
      "tls",
      `TLS handshake with ${target} failed: ${code === "" ? "" : `${code}: `}${detail}; ${hint}`,
      context,
      { cause: error },
    );
  }
  if (UNREACHABLE_CODES.has(code) || code !== "") {
    return new VboError(
      "unreachable",
      `cannot reach ${target}: ${code === "" ? "" : `${code}: `}${detail}`,
      context,
      { cause: error },
    );
  }
  return new VboError("unreachable", `request to ${target} failed: ${detail}`, context, {
    cause: error,
  });
}

/** Sends one request and reads the whole answer; never retries (see request.ts). */
export function exchange(options: ExchangeOptions): Promise<HttpResponse> {
  const { url, method, signal } = options;
  const context: VboErrorContext = { method, path: `${url.pathname}${url.search}` };
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return new Promise<HttpResponse>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new VboError("aborted", "request aborted before it was sent", context));
      return;
    }
    let settled = false;
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) {
      headers["content-length"] = String(Buffer.byteLength(options.body));
    }
    const req = send(url, { method, headers, agent: options.agent });
    const finish = (error: VboError | null, response?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (error !== null) {
        req.destroy();
        reject(error);
      } else if (response !== undefined) {
        resolve(response);
      }
    };
    const timer = setTimeout(() => {
      finish(
        new VboError(
          "timeout",
          `no complete answer from ${url.protocol}//${url.host} within ${options.timeoutMs} ms`,
          context,
        ),
      );
    }, options.timeoutMs);
    const onAbort = () => finish(new VboError("aborted", "request aborted", context));
    signal?.addEventListener("abort", onAbort, { once: true });

    req.on("error", (error) => finish(networkError(error, url, context, options.secrets)));
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      const tooLarge = () =>
        new VboError(
          "bad_response",
          `answer from ${url.protocol}//${url.host}${url.pathname} is larger than the ${maxBody}-byte limit (maxResponseBytes); ask for smaller pages (pageSize) or raise the limit`,
          { ...context, status },
        );
      // With a Content-Length the body goes straight into one buffer of that size: no chunk list
      // and concatenated copy side by side. Without one, chunks are joined once at the end.
      const declared = Number(res.headers["content-length"]);
      const sized = Number.isSafeInteger(declared) && declared >= 0;
      if (sized && declared > maxBody) {
        finish(tooLarge());
        return;
      }
      const whole = sized ? Buffer.allocUnsafe(declared) : null;
      let chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (settled) return;
        if (size + chunk.length > (whole === null ? maxBody : whole.length)) {
          finish(
            whole === null
              ? tooLarge()
              : new VboError("bad_response", "answer longer than its Content-Length", {
                  ...context,
                  status,
                }),
          );
          return;
        }
        if (whole === null) chunks.push(chunk);
        else chunk.copy(whole, size);
        size += chunk.length;
      });
      res.on("error", (error) => finish(networkError(error, url, context, options.secrets)));
      res.on("aborted", () =>
        finish(
          new VboError("unreachable", "connection closed before the whole answer arrived", {
            ...context,
            status,
          }),
        ),
      );
      res.on("end", () => {
        if (!res.complete || (whole !== null && size !== whole.length)) {
          finish(
            new VboError("unreachable", "connection closed before the whole answer arrived", {
              ...context,
              status,
            }),
          );
          return;
        }
        const body =
          whole ?? (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
        chunks = [];
        finish(null, { status, headers: res.headers, body });
      });
    });
    req.end(options.body);
  });
}
