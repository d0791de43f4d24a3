// Ids VBO sent, put into request paths: encoded, and refused when they would address another resource.
import { VboError } from "./errors.ts";

/**
 * An id as one URL path segment. `.` and `..` stay dot segments even percent-encoded (URL parsers
 * resolve `%2e` too), so `/RestoreSessions/../Events` would become `GET /v8/Events`: refused.
 */
export function pathSegment(id: string, what: string): string {
  if (id === "" || id === "." || id === "..") {
    throw new VboError(
      "bad_response",
      `${what} id "${id}" cannot be put in a request path (it would address another resource); VBO sent an id that is not a usable identifier`,
    );
  }
  return encodeURIComponent(id);
}
