// The terminal rendering of the exporter's own log lines.
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatLogLine } from "../src/log-text.ts";

test("a pino JSON line becomes time, level, message and the other fields as key=value", () => {
  const line = JSON.stringify({
    level: 50,
    time: "2026-12-01T19:02:03.456Z",
    service: "vbo-restore-exporter",
    server: "lab",
    reason: "unreachable",
    err: "connect ECONNREFUSED 127.0.0.1:4443",
    msg: "poll failed; retrying with backoff",
  });
  assert.equal(
    formatLogLine(line, false),
    '19:02:03.456 ERROR poll failed; retrying with backoff server=lab reason=unreachable err="connect ECONNREFUSED 127.0.0.1:4443"',
  );
  const coloured = formatLogLine(line, true);
  assert.ok(coloured.includes("\u001b[31mERROR"), coloured);
  assert.equal(
    coloured.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), ""),
    formatLogLine(line, false),
  );
});

test("lines that are not pino JSON pass through unchanged", () => {
  assert.equal(formatLogLine("plain text", false), "plain text");
  assert.equal(formatLogLine("[1,2]", false), "[1,2]");
  assert.equal(
    formatLogLine(JSON.stringify({ level: 30, time: 0, msg: "m", nested: { a: 1 } }), false),
    '00:00:00.000 INFO  m nested={"a":1}',
  );
});
