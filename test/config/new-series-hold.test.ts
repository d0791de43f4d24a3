// web.newSeriesHold: how long a restore counter's new label set is shown at 0 before its value.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../src/config/parse.ts";
import type { ConfigResult } from "../../src/config/types.ts";

const SERVERS =
  "servers:\n  - name: lab\n    url: https://vbo.example:4443\n    username: svc\n    password: pw\n";

function parse(text: string): ConfigResult {
  return parseConfig({
    text,
    fileName: "config.yml",
    baseDir: "/etc/vbo",
    cwd: "/srv",
    env: {},
    readFile: () => {
      throw Object.assign(new Error("missing"), { code: "ENOENT" });
    },
  });
}

test("the hold defaults to one minute and takes a duration, 0s turning it off", () => {
  const defaults = parse(SERVERS);
  assert.ok(defaults.ok);
  assert.equal(defaults.config.web.newSeriesHoldMs, 60_000);
  const set = parse(`web:\n  newSeriesHold: 90s\n${SERVERS}`);
  assert.ok(set.ok);
  assert.equal(set.config.web.newSeriesHoldMs, 90_000);
  const off = parse(`web:\n  newSeriesHold: 0s\n${SERVERS}`);
  assert.ok(off.ok);
  assert.equal(off.config.web.newSeriesHoldMs, 0);
});

test("a hold that is not a duration is refused with the key named", () => {
  const result = parse(`web:\n  newSeriesHold: soon\n${SERVERS}`);
  assert.equal(result.ok, false);
  assert.match(
    result.ok ? "" : result.errors.join("\n"),
    /web\.newSeriesHold: expected a duration like 30s/,
  );
});
