// One OTLP/HTTP POST of a request body as stored (already encoded and compressed): headers,
// basic/bearer auth, TLS CA; returns status, Retry-After, body.
//
// The OpenTelemetry exporters (OTLPLogExporter) retry internally on their own timers and report
// only success/failure through a callback: the HTTP status, the Retry-After header and the
// response body never reach the caller. The durable sender needs all three (to retry, bisect or
// dead-letter, and to wait on the injected clock), so it encodes with the OpenTelemetry
// serializers and sends with this small node:http/https transport instead.
import { readFileSync } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { protocolMismatch } from "../protocol-mismatch.ts";
import { parseRetryAfter } from "../retry-after.ts";
import { ExportError } from "./errors.ts";

export interface TransportOptions {
  readonly endpoint: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly basicAuth?: { readonly username: string; readonly password: string } | null;
  readonly bearerToken?: string | null;
  readonly tls?: { readonly caFile?: string | null; readonly insecureSkipVerify?: boolean };
  readonly timeoutMs: number;
}

/** One request body with the content type and encoding it was stored with. */
export interface TransportRequest {
  readonly body: Uint8Array;
  readonly contentType: string;
  /** "gzip", or "" when the body is not compressed. */
  readonly contentEncoding: string;
}

export interface TransportResponse {
  readonly status: number;
  /** Retry-After in milliseconds (seconds or HTTP-date), null when absent, unreadable or not > 0. */
  readonly retryAfterMs: number | null;
  readonly contentType: string;
  readonly body: Uint8Array;
}

export interface Transport {
  /**
   * Sends one request body as it is, with `headers` replacing configured headers of the same name
   * (letter case ignored); throws ExportError for network, TLS and timeout failures.
   */
  send(
    request: TransportRequest,
    signal?: AbortSignal,
    headers?: Readonly<Record<string, string>>,
  ): Promise<TransportResponse>;
  close(): void;
}

const MAX_RESPONSE_BYTES = 1 << 20;

const TLS_CODES = new Set([
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "EPROTO",
]);

function networkError(error: unknown, endpoint: string, url?: URL): ExportError {
  const mismatch = url === undefined ? null : protocolMismatch(error, url, "the OTLP endpoint");
  if (mismatch !== null)
    return new ExportError(url?.protocol === "https:" ? "tls" : "unreachable", mismatch, null, {
      cause: error,
    });
  const code = (error as { code?: unknown }).code;
  const text = typeof code === "string" ? code : "";
  if (TLS_CODES.has(text)) {
    return new ExportError("tls", `TLS handshake with ${endpoint} failed (${text})`, null, {
      cause: error,
    });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new ExportError("unreachable", `cannot reach ${endpoint}: ${detail}`, null, {
    cause: error,
  });
}

/** A transport for one endpoint; the URL must carry no credentials (they go in headers). */
export function createHttpTransport(
  options: TransportOptions,
  now: () => number = Date.now,
): Transport {
  const url = new URL(options.endpoint);
  const secure = url.protocol === "https:";
  const display = `${url.origin}${url.pathname}`;
  const headers: Record<string, string> = { ...options.headers };
  headers["user-agent"] = "vbo-restore-exporter";
  if (options.basicAuth) {
    const token = Buffer.from(
      `${options.basicAuth.username}:${options.basicAuth.password}`,
      "utf8",
    ).toString("base64");
    headers.authorization = `Basic ${token}`;
  } else if (options.bearerToken) {
    headers.authorization = `Bearer ${options.bearerToken}`;
  }
  const caFile = options.tls?.caFile;
  let ca: Buffer | undefined;
  if (secure && caFile) {
    try {
      ca = readFileSync(caFile);
    } catch (error) {
      throw new ExportError(
        "bad_config",
        `cannot read the OTLP endpoint's CA file ${caFile}: ${(error as { code?: string }).code ?? "unreadable"}`,
        null,
        { cause: error },
      );
    }
  }
  const agent = secure
    ? new HttpsAgent({
        keepAlive: true,
        ...(ca ? { ca } : {}),
        rejectUnauthorized: options.tls?.insecureSkipVerify !== true,
      })
    : undefined;

  return {
    send(request, signal, extra = {}) {
      const payload = request.body;
      const overridden = new Set(Object.keys(extra).map((name) => name.toLowerCase()));
      const base: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers))
        if (!overridden.has(name.toLowerCase())) base[name] = value;
      const content: Record<string, string> = { ...extra, "content-type": request.contentType };
      if (request.contentEncoding !== "") content["content-encoding"] = request.contentEncoding;
      return new Promise<TransportResponse>((resolve, reject) => {
        let deadline: NodeJS.Timeout | undefined;
        const settle = {
          resolve(response: TransportResponse) {
            clearTimeout(deadline);
            resolve(response);
          },
          reject(error: Error) {
            clearTimeout(deadline);
            reject(error);
          },
        };
        const requestOptions = {
          method: "POST",
          headers: { ...base, ...content, "content-length": String(payload.length) },
          ...(agent ? { agent } : {}),
          ...(signal ? { signal } : {}),
        };
        const onResponse = (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
          });
          response.on("error", (error) => settle.reject(networkError(error, display)));
          response.on("end", () => {
            const retryAfter = response.headers["retry-after"];
            settle.resolve({
              status: response.statusCode ?? 0,
              retryAfterMs: parseRetryAfter(retryAfter, now()),
              contentType: String(response.headers["content-type"] ?? ""),
              body: Buffer.concat(chunks),
            });
          });
        };
        let request: ReturnType<typeof httpRequest>;
        try {
          request = secure
            ? httpsRequest(url, requestOptions, onResponse)
            : httpRequest(url, requestOptions, onResponse);
        } catch (error) {
          // node:http refuses some requests at once (a header value it cannot send).
          settle.reject(networkError(error as Error, display));
          return;
        }
        // The OTLP timeout is the longest an export may take, not an idle limit: a receiver that
        // trickles its answer must not hold the sender (and every record behind it) forever.
        deadline = setTimeout(() => {
          const error = new ExportError(
            "timeout",
            `${display} did not answer within ${options.timeoutMs} ms`,
            null,
          );
          settle.reject(error);
          request.destroy(error);
        }, options.timeoutMs);
        request.on("error", (error) => {
          if (error instanceof ExportError) settle.reject(error);
          else if (error.name === "AbortError") settle.reject(error);
          else settle.reject(networkError(error, display, url));
        });
        request.end(payload);
      });
    },
    close() {
      agent?.destroy();
    },
  };
}
