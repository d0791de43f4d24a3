// Items of a paged listing as an AsyncIterable without a generator layer per item: a page is read
// when the previous one is used up, and each item is decoded as it is taken. An item that cannot
// be decoded is handed to `skip` (when given) and passed over; without it, it fails the listing.
import { VboError } from "./errors.ts";
import type { RawPage } from "./paginate.ts";
import { RecordError } from "./unreadable.ts";

/** Told of an item passed over: the raw item, why, and its position in the listing (0-based). */
export type SkipItem = (raw: unknown, error: RecordError, position: number) => void;

function withPage(error: unknown, url: URL | null): unknown {
  return error instanceof VboError && url !== null
    ? error.withContext({ method: "GET", path: `${url.pathname}${url.search}` })
    : error;
}

class PagedItems<T> implements AsyncIterator<T> {
  private source: AsyncIterator<RawPage> | null = null;
  private results: readonly unknown[] = [];
  private index = 0;
  private url: URL | null = null;
  private finished = false;
  /** Items taken from pages so far (decoded or passed over). */
  private position = 0;

  private readonly pages: () => AsyncIterator<RawPage>;
  private readonly parse: (value: unknown) => T;
  private readonly skip: SkipItem | undefined;

  constructor(
    pages: () => AsyncIterator<RawPage>,
    parse: (value: unknown) => T,
    skip: SkipItem | undefined,
  ) {
    this.pages = pages;
    this.parse = parse;
    this.skip = skip;
  }

  next(): Promise<IteratorResult<T>> {
    while (this.index < this.results.length) {
      const raw = this.results[this.index++];
      const position = this.position++;
      try {
        return Promise.resolve({ value: this.parse(raw), done: false });
      } catch (error) {
        if (this.skip !== undefined && error instanceof RecordError) {
          this.skip(raw, error, position);
          continue;
        }
        this.finished = true;
        void this.source?.return?.();
        return Promise.reject(withPage(error, this.url));
      }
    }
    return this.nextPage();
  }

  private async nextPage(): Promise<IteratorResult<T>> {
    for (;;) {
      if (this.finished) return { value: undefined, done: true };
      this.source ??= this.pages();
      let step: IteratorResult<RawPage>;
      try {
        step = await this.source.next();
      } catch (error) {
        this.finished = true;
        throw withPage(error, this.url);
      }
      if (step.done === true) {
        this.finished = true;
        this.results = [];
        return { value: undefined, done: true };
      }
      this.url = step.value.url;
      this.results = step.value.results;
      this.index = 0;
      if (this.results.length > 0) return this.next();
    }
  }

  async return(): Promise<IteratorResult<T>> {
    this.finished = true;
    this.results = [];
    await this.source?.return?.();
    return { value: undefined, done: true };
  }
}

/** A listing that starts (first page request) only when iterated; each iteration reads anew. */
export function pagedItems<T>(
  pages: () => AsyncIterator<RawPage>,
  parse: (value: unknown) => T,
  skip?: SkipItem,
): AsyncIterable<T> {
  return { [Symbol.asyncIterator]: () => new PagedItems(pages, parse, skip) };
}
