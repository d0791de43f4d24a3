// `serve` end to end as a user runs it: the demo with the embedded simulator shows live metrics
// within seconds, becomes ready, and stops cleanly on SIGTERM; bad input gives exit codes 1 and 2.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { get } from "../http/request.ts";
import { cleanEnv, eventually, spawnServe } from "./spawn-serve.ts";

test("the demo serves live simulated metrics, becomes ready and exits 0 on SIGTERM", async () => {
  const serve = spawnServe(["--listen-address", "127.0.0.1:0"], cleanEnv());
  try {
    const [, base] = await serve.waitForStdout(/Metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/)metrics/);
    assert.ok(base);
    assert.match(serve.stdout(), /DEMO MODE/);
    assert.match(serve.stdout(), /VBO_URL=/);
    assert.match(serve.stdout(), /--config FILE/);
    assert.doesNotMatch(base, /:0\//, "the banner shows the real port, not 0");

    const metrics = await eventually(
      async () => {
        const reply = await get(`${base}metrics`);
        const counted = /^vbo_restore_sessions_total\{.*server="demo".*\} [1-9]/m.test(reply.body);
        return counted && /^vbo_up\{server="demo"\} 1$/m.test(reply.body) ? reply.body : undefined;
      },
      15_000,
      "vbo_restore_sessions_total in /metrics",
    );
    assert.match(metrics, /^vbo_exporter_build_info\{version="[^"]+"\} 1$/m);
    await eventually(
      async () => ((await get(`${base}readyz`)).status === 200 ? true : undefined),
      10_000,
      "/readyz 200",
    );
    const landing = await get(base);
    assert.equal(landing.status, 200);
    assert.match(landing.body, /Demo mode/);
    assert.match(landing.body, /<td>demo<\/td>/);

    const { code, ms } = await serve.stop("SIGTERM");
    assert.equal(code, 0, serve.stderr());
    assert.ok(ms < 5_000, `stopped in ${ms} ms`);
    // The exporter's own logs are JSON lines on stderr.
    const lines = serve.stderr().trim().split("\n").filter(Boolean);
    assert.ok(lines.length > 0);
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line);
  } finally {
    await serve.stop("SIGKILL");
  }
});

test("an invalid configuration prints the errors and exits 1; a bad flag exits 2", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vbo-serve-bad-"));
  try {
    const bad = spawnServe(["--config", join(dir, "missing.yml")], cleanEnv());
    assert.equal(await bad.exited(), 1);
    assert.match(bad.stderr(), /missing\.yml: cannot read the configuration file: no such file/);

    const env = spawnServe(
      [],
      cleanEnv({ VBO_URL: "https://vbo.example:4443", VBO_PASSWORD: "x" }),
    );
    assert.equal(await env.exited(), 1);
    assert.match(env.stderr(), /environment: VBO_USERNAME: is required/);

    const flag = spawnServe(["--listen-address", "nowhere"], cleanEnv());
    assert.equal(await flag.exited(), 2);
    assert.match(flag.stderr(), /--listen-address: expected an address/);

    const unknown = spawnServe(["--frobnicate"], cleanEnv());
    assert.equal(await unknown.exited(), 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a second exporter on the same state directory is refused with exit 1; the lock dies with its holder, even on SIGKILL", async () => {
  const stateDir = mkdtempSync(join(tmpdir(), "vbo-lock-"));
  const first = spawnServe(
    ["--listen-address", "127.0.0.1:0", "--state-dir", stateDir],
    cleanEnv(),
  );
  try {
    await first.waitForStdout(/Metrics:/);
    const second = spawnServe(
      ["--listen-address", "127.0.0.1:0", "--state-dir", stateDir],
      cleanEnv(),
    );
    assert.equal(await second.exited(), 1);
    assert.match(second.stderr(), /another exporter is using this state directory/);
    assert.ok(second.stderr().includes(stateDir), "the message names the directory");
    assert.doesNotMatch(second.stderr(), /\n\s+at /, "no stack trace");

    first.child.kill("SIGKILL");
    await first.exited();
    const third = spawnServe(
      ["--listen-address", "127.0.0.1:0", "--state-dir", stateDir],
      cleanEnv(),
    );
    try {
      await third.waitForStdout(/Metrics:/);
    } finally {
      assert.equal((await third.stop()).code, 0);
    }
  } finally {
    first.child.kill("SIGKILL");
    rmSync(stateDir, { recursive: true, force: true });
  }
});
