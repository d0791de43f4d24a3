// The demo's console as a person reads it: the exporter's own logs on stderr (human lines when asked
// or on a terminal, JSON otherwise), and the audit records on stdout only with --console-records.
import assert from "node:assert/strict";
import { test } from "node:test";
import { get } from "../http/request.ts";
import { cleanEnv, eventually, spawnServe } from "./spawn-serve.ts";

const RECORD_LINE = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z \w+\s+vbo\.restore\.(event|session) \[demo\]/m;

/** Resolves once the demo has handed audit records to its console sink (the sender acknowledged). */
async function recordsShipped(base: string): Promise<number> {
  return eventually(
    async () => {
      const body = (await get(`${base}metrics`)).body;
      const n = Number(/^vbo_log_records_exported_total (\d+)/m.exec(body)?.[1] ?? "0");
      return n > 0 ? n : undefined;
    },
    20_000,
    "audit records shipped by the demo",
  );
}

test("the demo keeps its audit records off the console unless --console-records is given", async () => {
  const quiet = spawnServe(["--listen-address", "127.0.0.1:0"], cleanEnv());
  const loud = spawnServe(["--listen-address", "127.0.0.1:0", "--console-records"], cleanEnv());
  try {
    const [, quietBase] = await quiet.waitForStdout(/Metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/)/);
    const [, loudBase] = await loud.waitForStdout(/Metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/)/);
    assert.ok(quietBase && loudBase);
    assert.ok((await recordsShipped(quietBase)) > 0);
    assert.doesNotMatch(quiet.stdout(), RECORD_LINE, "no audit record printed without the flag");
    assert.doesNotMatch(quiet.stderr(), /audit records are written to the console/);
    assert.match(quiet.stderr(), /--console-records prints them/);
    await recordsShipped(loudBase);
    await loud.waitForStdout(RECORD_LINE);
  } finally {
    await Promise.all([quiet.stop("SIGKILL"), loud.stop("SIGKILL")]);
  }
});

test("--log-format text writes short human lines; json (the default off a terminal) JSON lines", async () => {
  const text = spawnServe(["--listen-address", "127.0.0.1:0", "--log-format", "text"], cleanEnv());
  try {
    const [, base] = await text.waitForStdout(/Metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/)/);
    assert.ok(base);
    await eventually(
      async () => ((await get(`${base}readyz`)).status === 200 ? true : undefined),
      15_000,
      "/readyz 200",
    );
    const { code } = await text.stop("SIGTERM");
    assert.equal(code, 0, text.stderr());
    const lines = text.stderr().trim().split("\n").filter(Boolean);
    assert.ok(lines.length > 0);
    for (const line of lines) {
      assert.match(
        line,
        /^\d{2}:\d{2}:\d{2}\.\d{3} (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) \S/,
        line,
      );
      assert.ok(!line.includes("\u001b["), "no colour codes off a terminal");
    }
  } finally {
    await text.stop("SIGKILL");
  }
  const bad = spawnServe(["--log-format", "pretty"], cleanEnv());
  assert.equal(await bad.exited(), 2);
  assert.match(bad.stderr(), /--log-format: expected one of auto \| text \| json/);
});
