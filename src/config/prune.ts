// Removing the values that failed validation, so the rules and files of everything else can still
// be checked in the same run (check-config then lists every problem at once).
import type { KeyPath } from "./key-path.ts";

type Tree = Record<string, unknown>;

/**
 * Lists whose entries keep their index when one goes wrong: a bad entry is replaced by a stand-in
 * that passes the schema and rules, and a missing required key gets a stand-in value, so the other
 * entries and the rules about the list (unique names, web.tenants needing web.basicAuth) are still
 * checked. The stand-ins' own problems are already reported.
 */
interface KeptList {
  readonly at: KeyPath;
  readonly entry: (index: number) => Tree;
}

// Not a valid hash on purpose: the rules' complaint about it is dropped as already reported.
const STAND_IN_HASH = "invalid";

const KEPT_LISTS: readonly KeptList[] = [
  {
    at: ["servers"],
    entry: (index) => ({
      name: `invalid-entry-${index}`,
      url: "https://invalid.invalid",
      username: "invalid",
      password: "invalid",
    }),
  },
  {
    at: ["web", "tenants"],
    entry: (index) => ({
      username: `invalid-entry-${index}`,
      passwordHash: STAND_IN_HASH,
      organizations: ["invalid"],
    }),
  },
];

/** The kept list `path` is an entry of (index) or a key of an entry of (key), if any. */
function keptListOf(
  path: KeyPath,
): { list: KeptList; index: number; key: string | undefined } | null {
  for (const list of KEPT_LISTS) {
    const n = list.at.length;
    const index = path[n];
    if (!startsWith(path, list.at) || typeof index !== "number") continue;
    if (path.length === n + 1) return { list, index, key: undefined };
    const key = path[n + 1];
    if (path.length === n + 2 && typeof key === "string") return { list, index, key };
  }
  return null;
}

function nodeAt(tree: Tree, path: KeyPath): unknown {
  let node: unknown = tree;
  for (const part of path) {
    if (!isContainer(node)) return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

function isContainer(value: unknown): value is Tree | unknown[] {
  return value !== null && typeof value === "object";
}

export function startsWith(path: KeyPath, prefix: KeyPath): boolean {
  return prefix.length <= path.length && prefix.every((part, i) => path[i] === part);
}

/**
 * Takes the value at `path` out of `tree` (in place) and returns the path that was removed: the
 * key itself, or — when it was removed already and is now missing — its parent. An entry of a
 * kept list (servers, web.tenants) is replaced by a stand-in instead, so the others keep their index.
 * Returns null when nothing can be removed (the top level itself is wrong).
 */
export function prune(tree: Tree, path: KeyPath, removed: readonly KeyPath[]): KeyPath | null {
  const kept = keptListOf(path);
  if (kept?.key !== undefined && removed.some((r) => samePath(r, path))) {
    // Removed already and now missing: a stand-in value, reported once, not the whole entry.
    const entry = nodeAt(tree, [...kept.list.at, kept.index]);
    const stand = kept.list.entry(kept.index)[kept.key];
    if (isContainer(entry) && !Array.isArray(entry) && stand !== undefined) {
      if (entry[kept.key] !== undefined) return null;
      entry[kept.key] = structuredClone(stand);
      return path;
    }
  }
  let target = path;
  // Removed already and now reported missing: the enclosing value has to go instead.
  while (target.length > 0 && removed.some((r) => samePath(r, target)))
    target = target.slice(0, -1);
  if (target.length === 0) return null;
  let node: unknown = tree;
  for (const part of target.slice(0, -1)) {
    if (!isContainer(node)) return target;
    node = (node as Record<string | number, unknown>)[part];
  }
  const last = target[target.length - 1] as string | number;
  if (Array.isArray(node) && typeof last === "number") {
    const list = keptListOf(target);
    node[last] = list !== null && list.key === undefined ? list.list.entry(last) : null;
  } else if (isContainer(node)) {
    delete (node as Tree)[String(last)];
  }
  return target;
}

function samePath(a: KeyPath, b: KeyPath): boolean {
  return a.length === b.length && startsWith(a, b);
}
