// Reading VBO answers: JSON bodies decoded defensively, error bodies summarised without echoing HTML.
import { scrub } from "../secrets/scrub.ts";
import { clip, VboError, type VboErrorContext } from "./errors.ts";
import type { HttpResponse } from "./transport.ts";

function looksLikeHtml(response: HttpResponse, text: string): boolean {
  const type = String(response.headers["content-type"] ?? "").toLowerCase();
  return type.includes("text/html") || /^\s*</.test(text);
}

/** The JSON value of a successful answer; empty, HTML or broken bodies are bad_response. */
export function decodeJson(response: HttpResponse, context: VboErrorContext): unknown {
  const text = response.body.toString("utf8");
  const where = { ...context, status: response.status };
  if (text.trim() === "") {
    throw new VboError(
      "bad_response",
      `empty body where JSON was expected (HTTP ${response.status})`,
      where,
    );
  }
  if (looksLikeHtml(response, text)) {
    throw new VboError(
      "bad_response",
      `got an HTML page instead of JSON (HTTP ${response.status}); is the URL a VBO REST API?`,
      where,
    );
  }
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
  const text = response.body.toString("utf8");
  if (text.trim() === "") return { text: "empty body", error: null };
  if (looksLikeHtml(response, text)) return { text: "an HTML page", error: null };
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
