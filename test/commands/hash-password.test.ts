// The hash-password command: a password on standard input becomes a hash the configuration accepts
// and the web server's basic auth verifies; the password itself is never printed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config/load.ts";
import { parsePasswordHash, verifyPassword } from "../../src/config/password-hash.ts";

const cli = new URL("../../src/cli.ts", import.meta.url).pathname;
const hashPassword = (input: string, ...args: string[]) =>
  spawnSync(process.execPath, [cli, "hash-password", ...args], { input, encoding: "utf8" });

test("hash-password turns standard input into a passwordHash the config and basic auth accept", async (t) => {
  const password = "Pässwort mit Leerzeichen & $dollar";
  const first = hashPassword(`${password}\r\n`, "--cost", "10");
  assert.equal(first.status, 0, first.stderr);
  const hash = first.stdout.trim();
  assert.match(hash, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  assert.ok(!`${first.stdout}${first.stderr}`.includes("Pässwort"), "the password is not echoed");

  const parsed = parsePasswordHash(hash);
  assert.ok(parsed);
  assert.equal(await verifyPassword(password, parsed), true, "the line ending is not hashed");
  assert.equal(await verifyPassword(`${password}\r\n`, parsed), false);
  assert.equal(await verifyPassword("wrong", parsed), false);

  const again = hashPassword(password);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /^\$scrypt\$ln=15,/, "cost 15 by default");
  assert.notEqual(again.stdout.trim(), hash, "a fresh salt every time");

  const dir = mkdtempSync(join(tmpdir(), "vbo-hash-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "config.yml");
  writeFileSync(
    file,
    [
      "web:",
      "  basicAuth:",
      "    username: prometheus",
      `    passwordHash: "${hash}"`,
      "servers:",
      "  - name: lab",
      "    url: https://vbo.example:4443",
      "    username: svc",
      "    password: pw",
      "",
    ].join("\n"),
  );
  const config = loadConfig({ file, env: {} });
  assert.ok(config.ok, config.ok ? "" : config.errors.join("\n"));
  assert.equal(config.config.web.basicAuth?.passwordHash, hash);
});

test("hash-password refuses an empty password and a cost out of range, exit 2 with the usage", () => {
  const empty = hashPassword("");
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /no password on standard input/);
  assert.match(empty.stderr, /Usage: vbo-restore-exporter hash-password/);
  assert.equal(empty.stdout, "");
  const cost = hashPassword("pw\n", "--cost", "9");
  assert.equal(cost.status, 2);
  assert.match(cost.stderr, /--cost: must be between 10 and 20, got 9/);
  const flag = hashPassword("pw\n", "--password", "pw");
  assert.equal(flag.status, 2, "no flag takes the password");
});
