// Options of the VBO REST client and their checks: base URL without credentials, CA material.
import { readFileSync } from "node:fs";
import type { Clock } from "../clock.ts";
import { ExporterError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { ApiVersion } from "./types.ts";

export interface VboClientOptions {
  /** Base URL without the version, e.g. https://vbo.example:4443; credentials in it are refused. */
  url: string;
  /** auto probes GET /vN/ServiceInstance without a token, newest first (401 = served, 404 = not). */
  apiVersion: ApiVersion | "auto";
  username: string;
  password: string;
  tls?: { caFile?: string | null; ca?: string | Buffer; insecureSkipVerify?: boolean };
  /** Per request, default 30000. */
  timeoutMs?: number;
  /** Limit asked per page, default 1000 (the server may cap it). */
  pageSize?: number;
  /** Retries on 5xx and network errors, default 3. */
  maxRetries?: number;
  clock?: Clock;
  logger?: Logger;
  /** Jitter source, default Math.random (tests pass a fixed one). */
  random?: () => number;
  /** Sent as User-Agent on every request, default "vbo-restore-exporter". */
  userAgent?: string;
  /** Other configured secrets (OTLP, web) kept out of messages as well as the password and tokens. */
  secrets?: readonly string[];
  /** Largest answer accepted per request, default 32 MiB; a bigger one fails naming the URL. */
  maxResponseBytes?: number;
  /** Bounds of one listing (see paginate.ts), default 10 000 pages and 1 000 000 items. */
  paging?: { maxPages?: number; maxItems?: number };
}

function configError(message: string, cause?: unknown): ExporterError {
  return new ExporterError("invalid_config", message, cause === undefined ? undefined : { cause });
}

export function parseBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw configError("VBO server URL is not a valid URL (expected e.g. https://vbo.example:4443)");
  }
  if (url.username !== "" || url.password !== "") {
    throw configError(
      "VBO server URL must not contain credentials; use the username and password options",
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw configError(`VBO server URL must use https or http, not ${url.protocol}`);
  }
  if (url.search !== "" || url.hash !== "") {
    throw configError(
      `VBO server URL ${url.origin}${url.pathname} must not carry a query or fragment`,
    );
  }
  if (/\/v\d+\/?$/i.test(url.pathname)) {
    throw configError(
      `VBO server URL ${url.origin}${url.pathname} must not include the API version; set apiVersion instead`,
    );
  }
  url.pathname = url.pathname.replace(/\/+$/, "") || "/";
  return url;
}

export function readCa(options: VboClientOptions): string | Buffer | undefined {
  const tls = options.tls;
  if (tls?.ca !== undefined) return tls.ca;
  if (tls?.caFile === undefined || tls.caFile === null) return undefined;
  try {
    return readFileSync(tls.caFile);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw configError(
      `cannot read tls.caFile ${tls.caFile}${typeof code === "string" ? ` (${code})` : ""}`,
      error,
    );
  }
}
