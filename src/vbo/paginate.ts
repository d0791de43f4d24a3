// Reading every page of a VBO list: follow _links.next (same origin only), fall back to offsets,
// survive a server that caps limit, and refuse to loop on a server that repeats itself.
import { VboError } from "./errors.ts";
import { parsePage } from "./parse.ts";

export interface PagingOptions {
  /** The first page's URL, with offset and limit already set. */
  readonly first: URL;
  /** Base URL links are resolved against (its path prefix is kept for server-relative links). */
  readonly base: URL;
  /** The limit asked for. */
  readonly pageSize: number;
  readonly fetchJson: (url: URL) => Promise<unknown>;
}

const MAX_PAGES = 1_000_000;

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

function fingerprint(results: readonly unknown[]): string {
  return `${results.length}:${JSON.stringify(results[0])}:${JSON.stringify(results.at(-1))}`;
}

/** Yields the raw items of every page, in order. */
export async function* paginate(options: PagingOptions): AsyncGenerator<unknown> {
  let url = options.first;
  let offset = offsetOf(url) ?? 0;
  const visited = new Set<string>([url.href]);
  let previous: string | null = null;
  // Once the server has shown it sends next links, a page without one is the last page.
  let serverLinks = false;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const page = parsePage(await options.fetchJson(url));
    const n = page.results.length;
    if (n === 0) return;
    const print = fingerprint(page.results);
    if (print === previous) {
      throw new VboError(
        "bad_response",
        `the server returned the same page again at offset ${offset}; it seems to ignore offset`,
        { method: "GET", path: `${url.pathname}${url.search}` },
      );
    }
    previous = print;
    yield* page.results;

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
      next = resolveLink(page.nextHref, options.base);
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
    if (visited.has(next.href) || (nextOffset !== null && nextOffset <= pageOffset)) {
      throw new VboError(
        "bad_response",
        `paging does not advance: next page ${next.pathname}${next.search} after offset ${pageOffset}`,
        { method: "GET", path: `${url.pathname}${url.search}` },
      );
    }
    visited.add(next.href);
    offset = nextOffset ?? pageOffset + n;
    url = next;
  }
  throw new VboError("bad_response", `more than ${MAX_PAGES} pages; giving up`);
}
