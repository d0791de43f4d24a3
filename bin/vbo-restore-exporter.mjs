#!/usr/bin/env node
// Launcher: runs src/cli.ts on Node >= 22.15 (type stripping) with V8 memory flags sized for a service, on the project's own Node 24 when the system Node is older.
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isModern, projectNode, root, runNode } from "./node-runtime.mjs";

const args = process.argv.slice(2);

/**
 * V8 sizes its young generation for the host (new space up to 134 MB on 24 GB); a service that
 * mostly waits for its next poll needs far less. On a large host V8 also lets the old generation
 * grow to about four times what the last full collection kept before it collects again: in a
 * backfill that is some 100 MB of short-lived pages and records on 25-30 MB of live heap, so the
 * growth factor is set to 2. Any of these set in NODE_OPTIONS or on the node command line wins
 * (Node takes --heap-growing-percent on the command line only).
 */
const SERVICE_FLAGS = ["--max-semi-space-size=16", "--heap-growing-percent=100"];

/** The service flags that neither NODE_OPTIONS nor this process's own options already set. */
function missingFlags() {
  const given = `${process.env.NODE_OPTIONS ?? ""} ${process.execArgv.join(" ")}`.replaceAll(
    "_",
    "-",
  );
  return SERVICE_FLAGS.filter((flag) => !given.includes(flag.split("=")[0]));
}

const flags = missingFlags();
if (isModern(process.versions.node) && flags.length === 0) {
  const { main } = await import(pathToFileURL(join(root, "src", "cli.ts")).href);
  await main(args);
} else {
  // Node runs this file again, not src/cli.ts: before Node 24.2 import.meta.main is undefined there.
  // Node's own options on this process's command line come along (the user's flags win).
  runNode(projectNode(), [...process.execArgv, ...flags, fileURLToPath(import.meta.url), ...args]);
}
