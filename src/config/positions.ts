// Where a key path sits in the YAML file (its line), so problems can be listed in file order.
import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter } from "yaml";
import type { KeyPath } from "./key-path.ts";

/**
 * The line (1-based) of the deepest part of `path` the document has: the key itself, or the
 * mapping that lacks it. 0 when the document has none of it.
 */
export function lineOf(doc: Document, counter: LineCounter, path: KeyPath): number {
  let node: unknown = doc.contents;
  let offset: number | undefined = rangeStart(node);
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(part),
      );
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof part === "number") {
      const item = node.items[part];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else break;
  }
  return offset === undefined ? 0 : counter.linePos(offset).line;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: readonly number[] } | null | undefined)?.range;
  return range?.[0];
}
