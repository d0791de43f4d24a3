// Offset/limit paging with server-relative HAL links, the way VBO pages every list.

export interface PageRequest {
  readonly offset: number;
  readonly limit: number;
}

export interface PageLinksInput {
  readonly path: string;
  /** Query parameters to repeat in every link (filters), already in the spec's casing. */
  readonly params: Readonly<Record<string, string>>;
  readonly offset: number;
  readonly limit: number;
  readonly total: number;
}

function href(
  path: string,
  params: Readonly<Record<string, string>>,
  offset: number,
  limit: number,
): string {
  const query = new URLSearchParams({ ...params, offset: String(offset), limit: String(limit) });
  return `${path}?${query.toString()}`;
}

export function pageLinks(input: PageLinksInput): Record<string, { href: string }> {
  const { path, params, offset, limit, total } = input;
  const links: Record<string, { href: string }> = {
    self: { href: href(path, params, offset, limit) },
    first: { href: href(path, params, 0, limit) },
  };
  if (offset > 0) links.prev = { href: href(path, params, Math.max(0, offset - limit), limit) };
  if (offset + limit < total) links.next = { href: href(path, params, offset + limit, limit) };
  return links;
}

/** Parses offset/limit (default 0/30), capping limit at the server maximum; returns an error text when bad. */
export function parsePageRequest(
  offsetText: string | undefined,
  limitText: string | undefined,
  maxPageSize: number,
): PageRequest | string {
  const offset = offsetText === undefined ? 0 : Number(offsetText);
  const limit = limitText === undefined ? 30 : Number(limitText);
  if (!Number.isInteger(offset) || offset < 0) return `Invalid offset "${offsetText}".`;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    return `Invalid limit "${limitText}": expected 1..10000.`;
  return { offset, limit: Math.min(limit, maxPageSize) };
}
