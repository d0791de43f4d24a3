// Removing the values that failed validation, so the rules and files of everything else can still
// be checked in the same run (check-config then lists every problem at once).
import type { KeyPath } from "./key-path.ts";

type Tree = Record<string, unknown>;

/** A server entry that passes the schema and rules; its own problems are already reported. */
function placeholderServer(index: number): Tree {
  return {
    name: `invalid-entry-${index}`,
    url: "https://invalid.invalid",
    username: "invalid",
    password: "invalid",
  };
}

function isContainer(value: unknown): value is Tree | unknown[] {
  return value !== null && typeof value === "object";
}

export function startsWith(path: KeyPath, prefix: KeyPath): boolean {
  return prefix.length <= path.length && prefix.every((part, i) => path[i] === part);
}

/**
 * Takes the value at `path` out of `tree` (in place) and returns the path that was removed: the
 * key itself, or — when it was removed already and is now missing — its parent. An entry of the
 * servers list is replaced by a valid placeholder instead, so the other entries keep their index.
 * Returns null when nothing can be removed (the top level itself is wrong).
 */
/** Stand-ins for a server's required keys, so its other keys (its password, say) are still checked. */
const REQUIRED_SERVER_KEYS: Readonly<Record<string, (index: number) => string>> = {
  name: (index) => `invalid-entry-${index}`,
  url: () => "https://invalid.invalid",
  username: () => "invalid",
};

export function prune(tree: Tree, path: KeyPath, removed: readonly KeyPath[]): KeyPath | null {
  const [top, index, key] = path;
  const fill = typeof key === "string" ? REQUIRED_SERVER_KEYS[key] : undefined;
  if (
    path.length === 3 &&
    top === "servers" &&
    typeof index === "number" &&
    fill !== undefined &&
    removed.some((r) => samePath(r, path))
  ) {
    // Removed already and now missing: a stand-in value, reported once, not the whole entry.
    const servers = tree.servers;
    const entry = Array.isArray(servers) ? servers[index] : undefined;
    if (isContainer(entry) && !Array.isArray(entry)) {
      if (entry[key as string] !== undefined) return null;
      entry[key as string] = fill(index);
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
    node[last] = target.length === 2 && target[0] === "servers" ? placeholderServer(last) : null;
  } else if (isContainer(node)) {
    delete (node as Tree)[String(last)];
  }
  return target;
}

function samePath(a: KeyPath, b: KeyPath): boolean {
  return a.length === b.length && startsWith(a, b);
}
