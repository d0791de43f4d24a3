// check-config --online against the simulator over loopback: a server that answers is reported
// with its organizations (the simulator's own count), tenant mappings naming organizations it does
// not have fail with a sentence and the nearest real name, a refused password fails without the
// password in the output, and a server that never answers fails within the time box and leaves
// the mappings unjudged.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type RunningSimulator, startSimulator } from "../../src/simulator/server.ts";

const cli = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));
const HASH = "$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA";

let sim: RunningSimulator;
let dir: string;

before(async () => {
  sim = await startSimulator({
    apiVersion: "v8",
    organizations: 4,
    historySessions: 0,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  dir = mkdtempSync(join(tmpdir(), "vbo-check-online-"));
});

after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function organizations() {
  const all = sim.world.organizations();
  assert.ok(all.length >= 3, "the simulator has the organizations the test names");
  return all;
}

/** A YAML list item for a server (JSON strings are YAML strings). */
function server(name: string, url: string, password = sim.password): string {
  return `  - name: ${name}\n    url: ${JSON.stringify(url)}\n    apiVersion: v8\n    username: ${JSON.stringify(sim.username)}\n    password: ${JSON.stringify(password)}\n`;
}

/** logs.tenants.organizations keys and web.tenants users with their organizations (when any). */
function mappings(logs: readonly string[], web: Record<string, readonly string[]>): string {
  let text = "";
  if (logs.length > 0) {
    text += "logs:\n  tenants:\n    organizations:\n";
    logs.forEach((key, i) => {
      text += `      ${JSON.stringify(key)}: tenant-${i}\n`;
    });
  }
  const users = Object.entries(web);
  if (users.length > 0) {
    text += `web:\n  basicAuth: { username: provider, passwordHash: "${HASH}" }\n  tenants:\n`;
    for (const [user, orgs] of users)
      text += `    - { username: ${user}, passwordHash: "${HASH}", organizations: ${JSON.stringify(orgs)} }\n`;
  }
  return text;
}

function run(
  yaml: string,
  extra: readonly string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const file = `config-${Math.random().toString(36).slice(2)}.yml`;
  writeFileSync(join(dir, file), yaml);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VBO_|OTEL_|WEB_|STATE_|SHARD_|LOGS_)/.test(k)),
  );
  const started = performance.now();
  const child = spawn(process.execPath, [cli, "check-config", "--config", file, ...extra], {
    env,
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  return new Promise((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: performance.now() - started })),
  );
}

/** "Contoso" → "Cnotoso": two letters in the middle swapped. */
function typo(name: string): string {
  const i = Math.floor(name.length / 2);
  return `${name.slice(0, i - 1)}${name[i]}${name[i - 1]}${name.slice(i + 1)}`;
}

test("mappings by name, domain and id in any letter case: reachable, all known, exit 0", async () => {
  const [a, b, c] = organizations();
  assert.ok(a && b && c);
  const yaml =
    `servers:\n${server("main", sim.url)}` +
    mappings([a.name.toUpperCase(), b.officeName.toUpperCase(), c.id.toUpperCase()], {
      tenant: [a.name, b.name],
    });
  const offline = await run(yaml);
  assert.equal(offline.code, 0, offline.stderr);
  assert.doesNotMatch(offline.stdout, /reachable/, "without --online no server is contacted");

  const result = await run(yaml, ["--online"]);
  assert.equal(result.code, 0, result.stderr);
  const n = sim.world.organizations().length;
  assert.match(
    result.stdout,
    new RegExp(`^server main: reachable, API v8, ${n} organizations$`, "m"),
  );
  assert.match(result.stdout, /^organization mappings: 5 checked/m);
  assert.match(result.stdout, /^config-\w+\.yml: valid \(offline checks\)$/m);
  assert.match(result.stdout, /^online checks: passed$/m);
  assert.match(offline.stdout, /^config-\w+\.yml: valid$/m);
  // The simulator speaks plain HTTP, which is a warning (and no problem).
  assert.doesNotMatch(result.stderr, /problem|did you mean/);
});

test("a typo in logs.tenants and an unknown web.tenants organization: exit 1, the nearest name", async () => {
  const [a, b] = organizations();
  assert.ok(a && b);
  const wrong = typo(a.name);
  assert.notEqual(wrong.toLowerCase(), a.name.toLowerCase());
  const yaml =
    `servers:\n${server("main", sim.url)}` +
    mappings([wrong, b.name], { auditor: [b.name, "Nowhere Holdings Zq"], other: [a.name] });
  const result = await run(yaml, ["--online"]);
  assert.equal(result.code, 1, result.stdout);
  const lines = result.stderr.split("\n");
  const logsLine = lines.find((l) => l.includes(JSON.stringify(wrong)));
  assert.ok(logsLine, result.stderr);
  assert.match(logsLine, /logs\.tenants\.organizations/);
  assert.ok(logsLine.includes(`did you mean ${JSON.stringify(a.name)}`), logsLine);
  const webLine = lines.find((l) => l.includes("Nowhere Holdings Zq"));
  assert.ok(webLine, result.stderr);
  assert.match(webLine, /web\.tenants\[0\]\.organizations: user "auditor"/);
  assert.match(result.stderr, /^2 problems found by the online checks\.$/m);
  // The first line says which checks the file passed, so "valid" and problems never clash.
  assert.match(result.stdout, /^config-\w+\.yml: valid \(offline checks\)$/m);
  assert.doesNotMatch(result.stdout, /: valid$/m);
  assert.match(result.stdout, /^server main: reachable/m);
});

test("one organization mapped by id and by name to two tenants: a problem naming both keys and tenants", async () => {
  const [a, b] = organizations();
  assert.ok(a && b);
  const yaml =
    `servers:\n${server("main", sim.url)}` +
    "logs:\n  tenants:\n    organizations:\n" +
    `      ${JSON.stringify(a.id)}: fab2\n      ${JSON.stringify(a.name)}: fabrikam\n` +
    `      ${JSON.stringify(b.name)}: other\n`;
  const offline = await run(yaml);
  assert.equal(offline.code, 0, "offline an id and a name cannot be told to be the same");
  const result = await run(yaml, ["--online"]);
  assert.equal(result.code, 1, result.stdout);
  const line = result.stderr.split("\n").find((l) => l.includes("same organization"));
  assert.ok(line, result.stderr);
  assert.ok(line.includes(a.id) && line.includes(`(tenant "fab2")`), line);
  assert.ok(line.includes(`(tenant "fabrikam")`) && line.includes(JSON.stringify(a.name)), line);
  assert.doesNotMatch(result.stderr, /"other"/);
  assert.match(result.stderr, /^1 problem found by the online checks\.$/m);
});

test("a web.tenants name in another letter case is unknown (labels are exact) and the right one suggested", async () => {
  const a = organizations().find((o) => o.name !== o.name.toLowerCase());
  assert.ok(a, "the simulator has an organization whose name has capitals");
  const yaml = `servers:\n${server("main", sim.url)}${mappings([], { t: [a.name.toLowerCase()] })}`;
  const result = await run(yaml, ["--online"]);
  assert.equal(result.code, 1, result.stdout);
  assert.ok(result.stderr.includes(`did you mean ${JSON.stringify(a.name)}`), result.stderr);
});

test("a refused password: exit 1 naming the server, the password nowhere in the output", async () => {
  const password = "wrong-pass-5e7a9c";
  const [a] = organizations();
  assert.ok(a);
  const yaml = `servers:\n${server("main", sim.url, password)}${mappings([a.name], {})}`;
  const result = await run(yaml, ["--online"]);
  assert.equal(result.code, 1, result.stdout);
  assert.match(result.stderr, /^server main \(http:\/\/127\.0\.0\.1:\d+\/?\): .*credentials/m);
  assert.match(result.stderr, /organization mappings: not checked/);
  assert.ok(!result.stdout.includes(password) && !result.stderr.includes(password));
});

test("a server that never answers and a closed port: exit 1 within the time box, mappings not checked", async (t) => {
  const held: Socket[] = [];
  const hole: Server = createServer((socket) => {
    held.push(socket);
  });
  await new Promise<void>((resolve) => hole.listen(0, "127.0.0.1", resolve));
  const closed: Server = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (s: Server) => {
    const address = s.address();
    assert.ok(address !== null && typeof address === "object");
    return address.port;
  };
  const closedPort = port(closed);
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  t.after(() => {
    for (const socket of held) socket.destroy();
    hole.close();
  });
  const [a] = organizations();
  assert.ok(a);
  const yaml =
    "servers:\n" +
    server("main", sim.url) +
    server("hole", `http://127.0.0.1:${port(hole)}`) +
    server("gone", `http://127.0.0.1:${closedPort}`) +
    mappings([typo(a.name)], {});
  const result = await run(yaml, ["--online", "--timeout", "2s"]);
  assert.equal(result.code, 1, result.stdout);
  assert.match(
    result.stderr,
    /^server hole \(http:\/\/127\.0\.0\.1:\d+\/?\): no answer within 2s/m,
  );
  assert.match(result.stderr, /^server gone \(http:\/\/127\.0\.0\.1:\d+\/?\): /m);
  assert.match(result.stdout, /^server main: reachable/m);
  assert.match(
    result.stderr,
    /organization mappings: not checked, as servers hole, gone could not be asked/,
  );
  assert.doesNotMatch(result.stderr, /did you mean/);
  assert.match(result.stderr, /^2 problems found by the online checks\.$/m);
  // The first line says which checks the file passed, so "valid" and problems never clash.
  assert.match(result.stdout, /^config-\w+\.yml: valid \(offline checks\)$/m);
  assert.doesNotMatch(result.stdout, /: valid$/m);
  assert.ok(held.length > 0, "the command did connect to the silent server");
  // Not a speed claim: the command gives up at its time box instead of waiting for the sockets.
  assert.ok(result.ms < 20_000, `took ${Math.round(result.ms)} ms`);
});

test("https:// towards a port that speaks plain HTTP: the sentence says so and how to fix it", async () => {
  const url = sim.url.replace(/^http:/, "https:");
  const result = await run(`servers:\n${server("main", url)}`, ["--online", "--timeout", "10s"]);
  assert.equal(result.code, 1, result.stdout);
  assert.match(
    result.stderr,
    /^server main \(https:.*answered in plain HTTP, not TLS: use http:\/\//m,
  );
  assert.match(result.stderr, /^1 problem found by the online checks\.$/m);
});
