#!/usr/bin/env node
// Launcher: runs src/cli.ts on Node >= 22.15 (type stripping), re-executing with the project's own Node 24 when the system Node is older.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "src", "cli.ts");
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
const modern = major > 22 || (major === 22 && minor >= 15);

if (modern) {
  const { main } = await import(pathToFileURL(cli).href);
  await main(process.argv.slice(2));
} else {
  const bundled = join(root, "node_modules", ".bin", "node");
  if (!existsSync(bundled)) {
    console.error(
      `vbo-restore-exporter needs Node >= 22.15 (found ${process.versions.node}); run "npm ci" in ${root} to install the bundled Node 24.`,
    );
    process.exit(2);
  }
  const child = spawn(bundled, [cli, ...process.argv.slice(2)], { stdio: "inherit" });
  // The child does the work, so it gets the signals meant for this process (a service manager's
  // SIGTERM). Ctrl+C in a terminal already reaches both through the process group: passing it on
  // too would be a second SIGINT, which makes the exporter stop at once instead of cleanly.
  const forward = (signal) => {
    if (signal === "SIGINT" && process.stdin.isTTY) return;
    child.kill(signal);
  };
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, forward);
  child.on("error", (error) => {
    console.error(`vbo-restore-exporter: cannot start ${bundled}: ${error.message}`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
  });
}
