#!/usr/bin/env node
// Launcher: runs src/cli.ts on Node >= 22.15 (type stripping) with V8 memory flags sized for a service, on the project's own Node 24 when the system Node is older.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "src", "cli.ts");
// Node runs this file again, not src/cli.ts: on Node < 24.2 import.meta.main is undefined there.
const self = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);

/**
 * V8 sizes its young generation for the host (new space up to 134 MB on 24 GB); a service that
 * mostly waits for its next poll needs far less. Any of these set in NODE_OPTIONS wins.
 */
const SERVICE_FLAGS = ["--max-semi-space-size=16"];

function modern(version) {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 15);
}

/** The service flags that neither NODE_OPTIONS nor this process's own options already set. */
function missingFlags() {
  const given = `${process.env.NODE_OPTIONS ?? ""} ${process.execArgv.join(" ")}`.replaceAll(
    "_",
    "-",
  );
  return SERVICE_FLAGS.filter((flag) => !given.includes(flag.split("=")[0]));
}

/** The npm package that carries Node for this platform (an optional dependency, no install script). */
function platformPackage() {
  const platform = process.platform === "win32" ? "win" : process.platform;
  const prefix = process.platform === "darwin" && process.arch === "arm64" ? "node-bin" : "node";
  return `${prefix}-${platform}-${process.arch}`;
}

/** The bundled Node's path, or undefined when its package is not installed. */
function bundledNode(name) {
  try {
    const manifest = createRequire(join(root, "package.json")).resolve(`${name}/package.json`);
    const bin = JSON.parse(readFileSync(manifest, "utf8")).bin?.node;
    const path = bin ? join(dirname(manifest), bin) : undefined;
    return path && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Says why there is no Node to run on and what fixes it, then exits 2. */
function noNode(name) {
  const { optionalDependencies = {} } = JSON.parse(
    readFileSync(join(root, "package.json"), "utf8"),
  );
  const found = `found Node ${process.versions.node} at ${process.execPath}`;
  const fix = !existsSync(join(root, "node_modules"))
    ? `its dependencies, the bundled Node among them, are not installed: run "npm ci" in ${root}.`
    : name in optionalDependencies
      ? `its bundled Node, the npm package ${name}, is not installed: it is an optional dependency, so an install with --omit=optional (or omit=optional, optional=false in an .npmrc) leaves it out. Run "npm ci --include=optional" in ${root}, or install Node >= 22.15 and run the exporter with it.`
      : `no Node is bundled for ${process.platform}-${process.arch}: install Node >= 22.15 (https://nodejs.org/) and run the exporter with it.`;
  console.error(`vbo-restore-exporter needs Node >= 22.15 (${found}); ${fix}`);
  process.exit(2);
}

/** Runs the CLI in a child Node and passes signals to it and its exit code on (no execve here). */
function runChild(node, nodeArgs) {
  const child = spawn(node, [...nodeArgs, self, ...args], { stdio: "inherit" });
  // The child does the work, so it gets the signals meant for this process (a service manager's
  // SIGTERM). Ctrl+C in a terminal already reaches both through the process group: passing it on
  // too would be a second SIGINT, which makes the exporter stop at once instead of cleanly.
  const forward = (signal) => {
    if (signal === "SIGINT" && process.stdin.isTTY) return;
    child.kill(signal);
  };
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, forward);
  child.on("error", (error) => {
    console.error(`vbo-restore-exporter: cannot start ${node}: ${error.message}`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
  });
}

const flags = missingFlags();
if (modern(process.versions.node) && flags.length === 0) {
  const { main } = await import(pathToFileURL(cli).href);
  await main(args);
} else if (modern(process.versions.node) && typeof process.execve === "function") {
  // The same process (pid, signals, service manager's view) goes on as Node with the flags.
  process.execve(process.execPath, [process.execPath, ...flags, self, ...args], process.env);
} else if (modern(process.versions.node)) {
  runChild(process.execPath, flags);
} else {
  const name = platformPackage();
  runChild(bundledNode(name) ?? noNode(name), flags);
}
