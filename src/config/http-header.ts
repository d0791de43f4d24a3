// HTTP header names and values as the OTLP headers setting accepts them, and their merging.

/** A field name is an RFC 9110 token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A field value: visible ASCII, space, tab and obs-text; no CR, LF or other control characters. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export const BAD_HEADER_NAME = "is not a valid HTTP header name";
export const BAD_HEADER_VALUE =
  "has a value that is not allowed in an HTTP header (control characters such as CR or LF, or characters above U+00FF)";

export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

export function isHeaderValue(value: string): boolean {
  return FIELD_VALUE.test(value);
}

/** The key of `headers` naming the same header as `name` (names are case-insensitive), if any. */
export function sameHeader(headers: Readonly<Record<string, unknown>>, name: string): string[] {
  const lower = name.toLowerCase();
  return Object.keys(headers).filter((key) => key.toLowerCase() === lower);
}

/** `low` overridden by `high`, comparing names case-insensitively; high's spelling is kept. */
export function mergeHeaders<T>(
  low: Readonly<Record<string, T>>,
  high: Readonly<Record<string, T>>,
): Record<string, T> {
  const merged: Record<string, T> = { ...low };
  for (const [name, value] of Object.entries(high)) {
    for (const key of sameHeader(merged, name)) delete merged[key];
    merged[name] = value;
  }
  return merged;
}
