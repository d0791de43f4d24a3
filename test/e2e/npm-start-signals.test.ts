// `npm start` as a service manager runs it: SIGTERM to npm's pid stops the exporter it started,
// cleanly, before npm exits, leaving neither the port nor a process behind.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { cleanEnv, eventually } from "./spawn-serve.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Every process below pid, from /proc (parent ids), with its command line. */
function descendants(pid: number): Map<number, string> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name, which is in parentheses and may hold spaces.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const found = new Map<number, string>();
  const visit = (parent: number) => {
    for (const [child, ppid] of parents) {
      if (ppid !== parent || found.has(child)) continue;
      found.set(child, commandLine(child));
      visit(child);
    }
  };
  visit(pid);
  return found;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

test("SIGTERM to the pid of npm start stops the exporter cleanly before npm exits", {
  skip: existsSync("/proc/self/stat") ? false : "needs /proc to see the process tree",
}, async () => {
  const npm = spawn("npm", ["start", "--", "--listen-address", "127.0.0.1:0"], {
    cwd: root,
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  npm.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  npm.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  const exited = new Promise<number | null>((resolve) => npm.once("exit", resolve));
  let tree = new Map<number, string>();
  try {
    const url = await eventually(
      async () => out.match(/Landing page:\s+(http:\/\/127\.0\.0\.1:\d+)\//)?.[1],
      30_000,
      "the banner of npm start",
    );
    await eventually(
      async () => ((await fetch(`${url}/readyz`)).ok ? true : undefined),
      30_000,
      "/readyz",
    );
    tree = descendants(npm.pid ?? 0);
    // npm's child itself on Node >= 22.15; the launcher's child on an older Node.
    const exporter = [...tree].find(
      ([, command]) =>
        command.includes("vbo-restore-exporter.mjs") &&
        command.includes("--max-semi-space-size=16 "),
    );
    assert.ok(
      exporter,
      `the exporter runs under npm with its V8 flags: ${JSON.stringify([...tree])}`,
    );

    npm.kill("SIGTERM");
    await exited;
    const left = [...tree.keys()].filter(alive);
    assert.deepEqual(left, [], `processes left after npm exited: ${JSON.stringify([...tree])}`);
    assert.equal(await portIsFree(Number(new URL(url).port)), true, "the port is free");
    assert.match(out, /"msg":"exporter stopped"/, "the exporter stopped cleanly");
    const stateDir = out.match(/State \(temporary\):\s+(\S+)/)?.[1];
    assert.ok(stateDir && !existsSync(stateDir), "the demo removed its state directory on exit");
  } finally {
    // On failure nothing this test started may outlive it (an orphan holds the output pipes).
    for (const pid of [...tree.keys()].filter(alive)) process.kill(pid, "SIGKILL");
    if (npm.exitCode === null) npm.kill("SIGKILL");
    npm.stdout.destroy();
    npm.stderr.destroy();
  }
});
