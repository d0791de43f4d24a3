// The bin launcher: which Node it runs the CLI on, with which V8 flags, and what it says when
// there is no Node >= 22.15 to run on.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const launcher = join(root, "bin", "vbo-restore-exporter.mjs");
const systemNode = "/usr/bin/node";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "vbo-launcher-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Node's version at path, or undefined when there is none. */
function versionOf(path: string): [number, number] | undefined {
  const result = spawnSync(path, ["-p", "process.versions.node"], { encoding: "utf8" });
  if (result.status !== 0) return undefined;
  const [major = 0, minor = 0] = result.stdout.trim().split(".").map(Number);
  return [major, minor];
}

const older = versionOf(systemNode);
const olderNode =
  older && (older[0] < 22 || (older[0] === 22 && older[1] < 15))
    ? false
    : `needs a system Node older than 22.15 at ${systemNode}`;

/** Every Node process that runs the launcher's command reports its pid and options. */
function runWithProbe(
  t: { after(fn: () => void): void },
  node: string,
  nodeOptions = "",
  nodeArgs: readonly string[] = [],
) {
  const probe = join(tempDir(t), "probe.mjs");
  writeFileSync(
    probe,
    'console.log(["probe", process.pid, JSON.stringify(process.execArgv), process.version].join(" "));\n',
  );
  const env = { ...process.env, NODE_OPTIONS: `${nodeOptions} --import=${probe}`.trim() };
  const result = spawnSync(node, [...nodeArgs, launcher, "--version"], { encoding: "utf8", env });
  const probes = [...result.stdout.matchAll(/^probe (\d+) (\[.*\]) (v[\d.]+)$/gm)].map((m) => ({
    pid: Number(m[1]),
    execArgv: JSON.parse(m[2] ?? "[]") as string[],
    version: m[3],
  }));
  return { result, probes };
}

test("the launcher runs the CLI with --max-semi-space-size=16 --heap-growing-percent=100, in the same process", (t) => {
  const { result, probes } = runWithProbe(t, process.execPath);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^vbo-restore-exporter \d+\.\d+\.\d+$/m);
  const last = probes.at(-1);
  assert.ok(last, result.stdout);
  assert.ok(last.execArgv.includes("--max-semi-space-size=16"), JSON.stringify(probes));
  assert.ok(last.execArgv.includes("--heap-growing-percent=100"), JSON.stringify(probes));
  assert.ok(
    probes.every((p) => p.pid === result.pid),
    `one pid from start to end (execve, not a child): ${JSON.stringify(probes)}`,
  );
});

test("a --max-semi-space-size in NODE_OPTIONS wins over the launcher's", (t) => {
  const { result, probes } = runWithProbe(t, process.execPath, "--max_semi_space_size=32");
  assert.equal(result.status, 0, result.stderr);
  assert.ok(
    probes.every((p) => !p.execArgv.some((a) => a.includes("semi-space"))),
    JSON.stringify(probes),
  );
  assert.ok(probes.at(-1)?.execArgv.includes("--heap-growing-percent=100"), JSON.stringify(probes));
});

test("V8 flags on the node command line win over the launcher's and are kept when it adds its own", (t) => {
  const asIs = runWithProbe(t, process.execPath, "", [
    "--max-semi-space-size=32",
    "--heap-growing-percent=50",
  ]);
  assert.equal(asIs.result.status, 0, asIs.result.stderr);
  assert.equal(asIs.probes.length, 1, `run once, as it is: ${JSON.stringify(asIs.probes)}`);
  const added = runWithProbe(t, process.execPath, "", ["--max-semi-space-size=32"]);
  assert.equal(added.result.status, 0, added.result.stderr);
  const last = added.probes.at(-1)?.execArgv ?? [];
  assert.ok(last.includes("--max-semi-space-size=32"), JSON.stringify(added.probes));
  assert.ok(!last.includes("--max-semi-space-size=16"), JSON.stringify(added.probes));
  assert.ok(last.includes("--heap-growing-percent=100"), JSON.stringify(added.probes));
});

test("on an older system Node the bundled Node runs the CLI, with the flag", {
  skip: olderNode,
}, (t) => {
  const { result, probes } = runWithProbe(t, systemNode);
  assert.equal(result.status, 0, result.stderr);
  const child = probes.find((p) => p.pid !== result.pid);
  assert.ok(child, `a child process ran the CLI: ${JSON.stringify(probes)}`);
  assert.equal(child.version, process.version, "on the bundled Node, the one running this test");
  assert.ok(child.execArgv.includes("--max-semi-space-size=16"), JSON.stringify(probes));
});

test("npm scripts' bin/project-node.mjs runs node's arguments on the bundled Node under an older one", {
  skip: olderNode,
}, () => {
  const script = join(root, "bin", "project-node.mjs");
  const result = spawnSync(
    systemNode,
    [script, "-p", "process.version + ' ' + process.argv.length"],
    {
      encoding: "utf8",
    },
  );
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), `${process.version} 1`);
  const failing = spawnSync(systemNode, [script, "-e", "process.exit(7)"]);
  assert.equal(failing.status, 7, "its exit code passes through");
});

/** A copy of the launcher and package.json alone, without the installed bundled Node. */
function bareCopy(t: { after(fn: () => void): void }, withNodeModules: boolean): string {
  const dir = tempDir(t);
  mkdirSync(join(dir, "bin"));
  for (const file of ["vbo-restore-exporter.mjs", "node-runtime.mjs"]) {
    copyFileSync(join(root, "bin", file), join(dir, "bin", file));
  }
  copyFileSync(join(root, "package.json"), join(dir, "package.json"));
  if (withNodeModules) mkdirSync(join(dir, "node_modules"));
  return dir;
}

test("with nothing installed the launcher says to run npm ci, and exits 2", {
  skip: olderNode,
}, (t) => {
  const dir = bareCopy(t, false);
  const result = spawnSync(systemNode, [join(dir, "bin", "vbo-restore-exporter.mjs"), "serve"], {
    encoding: "utf8",
  });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /needs Node >= 22\.15 \(found Node 2\d\.[\d.]+ at /);
  assert.ok(result.stderr.includes(`run "npm ci" in ${dir}`), result.stderr);
});

test("without the optional Node package the launcher names it and --include=optional", {
  skip: olderNode,
}, (t) => {
  const dir = bareCopy(t, true);
  const result = spawnSync(systemNode, [join(dir, "bin", "vbo-restore-exporter.mjs"), "serve"], {
    encoding: "utf8",
  });
  assert.equal(result.status, 2);
  const platform = process.platform === "win32" ? "win" : process.platform;
  const prefix = process.platform === "darwin" && process.arch === "arm64" ? "node-bin" : "node";
  assert.ok(result.stderr.includes(`${prefix}-${platform}-${process.arch}`), result.stderr);
  assert.match(result.stderr, /--omit=optional/);
  assert.ok(result.stderr.includes(`"npm ci --include=optional" in ${dir}`), result.stderr);
});
