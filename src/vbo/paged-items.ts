// Items of a paged listing as an AsyncIterable without a generator layer per item: a page is read
// when the previous one is used up, and each item is decoded as it is taken.
import { VboError } from "./errors.ts";
import type { RawPage } from "./paginate.ts";

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

  private readonly pages: () => AsyncIterator<RawPage>;
  private readonly parse: (value: unknown) => T;

  constructor(pages: () => AsyncIterator<RawPage>, parse: (value: unknown) => T) {
    this.pages = pages;
    this.parse = parse;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.index < this.results.length) {
      try {
        return Promise.resolve({ value: this.parse(this.results[this.index++]), done: false });
      } catch (error) {
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
): AsyncIterable<T> {
  return { [Symbol.asyncIterator]: () => new PagedItems(pages, parse) };
}
