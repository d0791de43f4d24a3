// Reading every page of a VBO list: follow _links.next (same origin only), fall back to offsets,
// survive a server that caps limit, and stop a server that repeats itself or pages without end.
import type { Logger } from "../logger.ts";
import { VboError } from "./errors.ts";
import { parsePage } from "./parse.ts";

/** Bounds of one listing, whatever the server's links say. */
export interface PagingLimits {
  /** Most pages one listing may take (default 10 000). */
  readonly maxPages: number;
  /** Most items one listing may return when the server sends no totalCount (default 1 000 000). */
  readonly maxItems: number;
}

export const DEFAULT_PAGING_LIMITS: PagingLimits = { maxPages: 10_000, maxItems: 1_000_000 };

export interface PagingOptions {
  /** The first page's URL, with offset and limit already set. */
  readonly first: URL;
  /** Base URL links are resolved against (its path prefix is kept for server-relative links). */
  readonly base: URL;
  /** The limit asked for. */
  readonly pageSize: number;
  readonly fetchJson: (url: URL) => Promise<unknown>;
  readonly limits?: PagingLimits;
  /** Told once when a listing is stopped by its limits. */
  readonly logger?: Logger;
}

/** One page's raw items and the URL they came from. */
export interface RawPage {
  readonly url: URL;
  readonly results: readonly unknown[];
}

function offsetOf(url: URL): number | null {
  for (const [key, value] of url.searchParams) {
    if (key.toLowerCase() === "offset") {
      const n = Number(value);
      return Number.isInteger(n) && n >= 0 ? n : null;
    }
  }
  return null;
}

function withOffset(url: URL, offset: number): URL {
  const next = new URL(url);
  for (const key of [...next.searchParams.keys()]) {
    if (key.toLowerCase() === "offset") next.searchParams.delete(key);
  }
  next.searchParams.set("offset", String(offset));
  return next;
}

/** Resolves a server-relative link; a link to another origin is refused (it would get our token). */
export function resolveLink(href: string, base: URL): URL {
  const prefix = base.pathname.replace(/\/+$/, "");
  const path =
    href.startsWith("/") && prefix !== "" && !href.startsWith(`${prefix}/`)
      ? `${prefix}${href}`
      : href;
  let url: URL;
  try {
    url = new URL(path, base);
  } catch (error) {
    throw new VboError("bad_response", "page link is not a URL", {}, { cause: error });
  }
  if (url.origin !== base.origin) {
    throw new VboError(
      "bad_response",
      `page link points to another server (${url.origin}); refusing to follow it`,
    );
  }
  return url;
}

/** An item's id when it has one (every VBO list item does), else its JSON text. */
function keyOf(item: unknown): string {
  if (typeof item === "object" && item !== null) {
    const id = (item as Record<string, unknown>).id;
    if (typeof id === "string" || typeof id === "number") return String(id);
  }
  return JSON.stringify(item) ?? "undefined";
}

/** Same length and same first and last item ids: the same page again (exact for id'd lists). */
function pageKey(results: readonly unknown[]): string {
  return `${results.length}:${keyOf(results[0])}:${keyOf(results.at(-1))}`;
}

/** Logs once and fails the listing: its next links lead on beyond what it can hold. */
function runaway(
  options: PagingOptions,
  url: URL,
  pages: number,
  items: number,
  why: string,
): never {
  options.logger?.warn(
    { url: `${url.origin}${url.pathname}${url.search}`, pages, items },
    "VBO keeps sending next pages beyond what the listing can hold; stopping it",
  );
  throw new VboError(
    "paging_runaway",
    `paging never ends: ${why}; the server's next links do not converge`,
    where(url),
  );
}

const where = (url: URL) => ({ method: "GET", path: `${url.pathname}${url.search}` });

/**
 * Yields every page's raw items, in order, one array per page. A listing ends at the first empty
 * or last page; it fails (paging_runaway) once it has taken more pages or items than its query can
 * return: totalCount (plus one page of slack for sessions arriving meanwhile) when the server sends
 * it, limits.maxItems otherwise, and never more than limits.maxPages pages.
 */
export async function* paginatePages(options: PagingOptions): AsyncGenerator<RawPage> {
  const limits = options.limits ?? DEFAULT_PAGING_LIMITS;
  let url = options.first;
  const startOffset = offsetOf(url) ?? 0;
  let offset = startOffset;
  let previous: string | null = null;
  let lastHref = url.href;
  let items = 0;
  // Once the server has shown it sends next links, a page without one is the last page.
  let serverLinks = false;
  for (let pages = 0; ; pages++) {
    const raw = await options.fetchJson(url);
    let page: ReturnType<typeof parsePage>;
    try {
      page = parsePage(raw);
    } catch (error) {
      throw error instanceof VboError ? error.withContext(where(url)) : error;
    }
    const n = page.results.length;
    if (n === 0) return;
    const key = pageKey(page.results);
    if (key === previous) {
      throw new VboError(
        "bad_response",
        `the server returned the same page again at offset ${offset}; it seems to ignore offset`,
        where(url),
      );
    }
    previous = key;
    items += n;
    const itemBound =
      page.totalCount !== null
        ? Math.max(0, page.totalCount - startOffset) + options.pageSize
        : limits.maxItems;
    if (items > itemBound) {
      runaway(
        options,
        url,
        pages + 1,
        items,
        `${items} items, more than the ${itemBound} ${page.totalCount !== null ? `its totalCount ${page.totalCount} allows` : "allowed per listing (maxItems)"}`,
      );
    }
    yield { url, results: page.results };

    const pageOffset = page.offset ?? offset;
    const capped =
      page.limit !== null && page.limit > 0
        ? Math.min(page.limit, options.pageSize)
        : options.pageSize;
    const done = page.totalCount !== null && pageOffset + n >= page.totalCount;
    let next: URL;
    if (page.nextHref !== null) {
      if (done) return;
      serverLinks = true;
      try {
        next = resolveLink(page.nextHref, options.base);
      } catch (error) {
        throw error instanceof VboError ? error.withContext(where(url)) : error;
      }
    } else if (
      !serverLinks &&
      !done &&
      (n >= capped || (page.totalCount !== null && pageOffset + n < page.totalCount))
    ) {
      next = withOffset(url, pageOffset + n);
    } else {
      return;
    }
    const nextOffset = offsetOf(next);
    if (
      next.href === lastHref ||
      next.href === url.href ||
      (nextOffset !== null && nextOffset <= pageOffset)
    ) {
      throw new VboError(
        "bad_response",
        `paging does not advance: next page ${next.pathname}${next.search} after offset ${pageOffset}`,
        where(url),
      );
    }
    if (pages + 1 >= limits.maxPages) {
      runaway(
        options,
        url,
        pages + 1,
        items,
        `another page after ${pages + 1}, more than the ${limits.maxPages} pages allowed per listing (maxPages)`,
      );
    }
    lastHref = url.href;
    offset = nextOffset ?? pageOffset + n;
    url = next;
  }
}
