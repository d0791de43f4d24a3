// The check-config command: exit 0 with a redacted summary, 1 with the errors, 2 on bad usage.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));
const dir = fileURLToPath(new URL("./testdata/", import.meta.url));
const SECRET = "cli-secret-8c1d";

function run(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VBO_|OTEL_|WEB_|STATE_|SHARD_)/.test(k)),
  );
  return spawnSync(process.execPath, [cli, "check-config", ...args], {
    encoding: "utf8",
    cwd: dir,
    env: { ...clean, ...env },
  });
}

test("a valid file exits 0 and prints a summary with the secrets masked", () => {
  const result = run(["--config", "valid.yml", "--show"], { VBO_PASSWORD: SECRET });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^# valid\.yml: valid$/m);
  assert.match(result.stdout, /^# {3}server lab: https:\/\/vbo\.example:4443 \(API v8/m);
  assert.ok(!result.stdout.includes(SECRET));
  assert.ok(!result.stdout.includes("file-secret-pw"));
  assert.ok(!result.stderr.includes(SECRET));
});

test("an invalid file exits 1 and prints each error", () => {
  const result = run(["--config", "bad-duration.yml"]);
  assert.equal(result.status, 1);
  assert.match(
    result.stderr,
    /^bad-duration\.yml: servers\[0\]\.pollInterval: expected a duration like 30s$/m,
  );
  assert.match(result.stderr, /1 problem found\./);
});

test("the environment alone can be checked", () => {
  const good = run([], {
    VBO_URL: "https://vbo.example:4443",
    VBO_USERNAME: "u",
    VBO_PASSWORD: SECRET,
  });
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stdout, /^environment: valid$/m);
  assert.ok(!good.stdout.includes(SECRET));
  const bad = run([], { VBO_URL: "https://vbo.example:4443", VBO_PASSWORD: SECRET });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /environment: VBO_USERNAME: is required/);
});

test("no configuration at all, or an unknown flag, is a usage error (exit 2)", () => {
  const none = run([]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /--config FILE is required/);
  const unknown = run(["--confg", "x.yml"]);
  assert.equal(unknown.status, 2);
});

test("the plain http:// warning is printed once, naming every server it is about", () => {
  const tmp = mkdtempSync(join(tmpdir(), "vbo-check-http-"));
  try {
    const server = (name: string) =>
      `  - { name: ${name}, url: "http://127.0.0.1:4443", username: u, password: p }\n`;
    writeFileSync(join(tmp, "one.yml"), `servers:\n${server("lab")}`);
    writeFileSync(join(tmp, "two.yml"), `servers:\n${server("lab")}${server("branch")}`);
    const plain = (stderr: string) => stderr.split("\n").filter((l) => l.includes("plain http://"));
    const one = run(["--config", join(tmp, "one.yml")]);
    assert.equal(one.status, 0, one.stderr);
    assert.equal(plain(one.stderr).length, 1, one.stderr);
    const env = run([], { VBO_URL: "http://127.0.0.1:4443", VBO_USERNAME: "u", VBO_PASSWORD: "p" });
    assert.equal(env.status, 0, env.stderr);
    assert.deepEqual(
      plain(env.stderr).map((l) => l.split(": plain")[0]),
      ["warning: environment: VBO_URL"],
    );
    const two = run(["--config", join(tmp, "two.yml")]);
    assert.equal(two.status, 0, two.stderr);
    assert.deepEqual(
      plain(two.stderr).map((l) => l.split(": plain")[0]),
      [`warning: ${join(tmp, "two.yml")}: servers[0].url, servers[1].url`],
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
