// Recognises a URL whose scheme does not match what the port speaks (https:// against plain HTTP,
// http:// against TLS) from the socket error, and says so in a sentence naming the server.

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** OpenSSL's words when the other side answered a TLS handshake with something that is not TLS. */
const NOT_TLS = /wrong version number|packet length too long|http request|unknown protocol/i;

/**
 * The sentence for a scheme that does not match the port, or null when the error does not show one.
 * `what` names the other side ("the VBO server", "the OTLP endpoint").
 */
export function protocolMismatch(error: unknown, url: URL, what: string): string | null {
  const code = codeOf(error);
  const host = url.host;
  if (url.protocol === "https:" && (code === "EPROTO" || code.startsWith("ERR_SSL_"))) {
    if (NOT_TLS.test(messageOf(error)))
      return `${what} at ${host} answered in plain HTTP, not TLS: use http://${host} or the port that speaks TLS (HTTPS)`;
  }
  if (url.protocol === "http:" && code === "ECONNRESET" && /socket hang up/i.test(messageOf(error)))
    return `${what} at ${host} closed the connection without answering the plain HTTP request: if that port speaks TLS, use https://${host}`;
  return null;
}

/** nginx's (and others') answer to plain HTTP on a TLS port: HTTP 400 with these words. */
export const PLAIN_HTTP_TO_TLS =
  /plain HTTP request was sent to HTTPS port|speaking plain HTTP to an SSL-enabled server port|client sent an HTTP request to an HTTPS server/i;

/**
 * The sentence for an http:// URL whose port speaks TLS behind a proxy that answers HTTP 400 in
 * words (nginx: "The plain HTTP request was sent to HTTPS port"), or null.
 */
export function plainHttpToTlsPort(
  status: number,
  body: string,
  url: URL,
  what: string,
): string | null {
  if (status !== 400 || url.protocol !== "http:" || !PLAIN_HTTP_TO_TLS.test(body.slice(0, 4096)))
    return null;
  return `${what} at ${url.host} speaks TLS on that port (it answered HTTP 400: the plain HTTP request was sent to an HTTPS port): use https://${url.host}`;
}
