// A web TLS certificate and key that do not belong together fail check-config naming both keys,
// and `serve` is never the first to find out.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { makeTestCert } from "../helpers/self-signed-cert.ts";

const cli = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));

function checkConfig(t: { after(fn: () => void): void }, certFile: string, keyFile: string) {
  const dir = mkdtempSync(join(tmpdir(), "vbo-web-pair-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, "cfg.yml"),
    `web:
  tls: { certFile: ${JSON.stringify(certFile)}, keyFile: ${JSON.stringify(keyFile)} }
servers:
  - { name: lab, url: "https://vbo.example:4443", username: svc, password: pw }
state: { dir: ${JSON.stringify(join(dir, "state"))} }
`,
  );
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VBO_|OTEL_|WEB_|STATE_|SHARD_)/.test(k)),
  );
  return spawnSync(process.execPath, [cli, "check-config", "--config", "cfg.yml"], {
    encoding: "utf8",
    cwd: dir,
    env: clean,
  });
}

test("a key of another certificate fails check-config with both files named", (t) => {
  const first = makeTestCert();
  const second = makeTestCert();
  t.after(() => {
    first.cleanup();
    second.cleanup();
  });
  const mismatched = checkConfig(t, first.certFile, second.keyFile);
  assert.equal(mismatched.status, 1, mismatched.stdout);
  assert.match(
    mismatched.stderr,
    /^cfg\.yml: web\.tls\.keyFile: does not match web\.tls\.certFile \(.*key values mismatch\)$/m,
  );
  assert.ok(mismatched.stderr.includes(second.keyFile), mismatched.stderr);
  assert.ok(mismatched.stderr.includes(first.certFile), mismatched.stderr);
  assert.ok(!mismatched.stderr.includes("PRIVATE KEY"), "no key material in the message");

  const matching = checkConfig(t, first.certFile, first.keyFile);
  assert.equal(matching.status, 0, matching.stderr);
});
