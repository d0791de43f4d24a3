// Reading VBO answers: JSON bodies decoded defensively, error bodies summarised without echoing HTML.
import { scrub } from "../secrets/scrub.ts";
import { clip, VboError, type VboErrorContext } from "./errors.ts";
import type { HttpResponse } from "./transport.ts";

/** The first byte that is not JSON whitespace (or a UTF-8 byte order mark); -1 for a blank body. */
function firstSignificantByte(body: Buffer): number {
  for (let i = 0; i < body.length; i++) {
    const b = body[i] as number;
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    if (b === 0xef && body[i + 1] === 0xbb && body[i + 2] === 0xbf) {
      i += 2;
      continue;
    }
    return b;
  }
  return -1;
}

function looksLikeHtml(response: HttpResponse, first: number): boolean {
  const type = response.headers["content-type"];
  return first === 0x3c || (typeof type === "string" && type.toLowerCase().includes("text/html"));
}

/** The JSON value of a successful answer; empty, HTML or broken bodies are bad_response. */
export function decodeJson(response: HttpResponse, context: VboErrorContext): unknown {
  const where = { ...context, status: response.status };
  // Looks at the first bytes only: no trimmed copy or regex scan of a multi-megabyte page.
  const first = firstSignificantByte(response.body);
  if (first === -1) {
    throw new VboError(
      "bad_response",
      `empty body where JSON was expected (HTTP ${response.status})`,
      where,
    );
  }
  if (looksLikeHtml(response, first)) {
    throw new VboError(
      "bad_response",
      `got an HTML page instead of JSON (HTTP ${response.status}); is the URL a VBO REST API?`,
      where,
    );
  }
  const body = response.body;
  const bom = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
  const text = body.toString("utf8", bom ? 3 : 0);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new VboError(
      "bad_response",
      `invalid or truncated JSON (HTTP ${response.status}, ${response.body.length} bytes): ${
        error instanceof Error ? clip(error.message, 80) : ""
      }`,
      where,
      { cause: error },
    );
  }
}

/** What an error answer says: {message}, {error, error_description}, or a description of the body. */
export function errorSummary(
  response: HttpResponse,
  secrets: readonly string[] = [],
): { text: string; error: string | null } {
  const first = firstSignificantByte(response.body);
  if (first === -1) return { text: "empty body", error: null };
  if (looksLikeHtml(response, first)) return { text: "an HTML page", error: null };
  const text = response.body.toString("utf8");
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const o = value as Record<string, unknown>;
      const error = typeof o.error === "string" ? o.error : null;
      const parts = [o.errorCode, o.error, o.message, o.error_description]
        .filter((p): p is string => typeof p === "string" && p !== "")
        .map((p) => clip(scrub(p, secrets)));
      if (parts.length > 0) return { text: parts.join(": "), error };
    }
    return { text: "a JSON body without a message", error: null };
  } catch {
    return { text: "a body that is not JSON", error: null };
  }
}

/** True when the body carries a JSON {message} (the spec's error shape). */
export function hasMessage(response: HttpResponse): boolean {
  try {
    const value: unknown = JSON.parse(response.body.toString("utf8"));
    return (
      typeof value === "object" &&
      value !== null &&
      typeof (value as Record<string, unknown>).message === "string"
    );
  } catch {
    return false;
  }
}
