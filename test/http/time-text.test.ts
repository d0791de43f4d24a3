// VBO's timestamps as the pages show them: every shape VBO prints becomes one UTC form, and text
// that is no timestamp is shown as it is, escaped.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseIsoMs, vboTimeHtml } from "../../src/http/time-text.ts";

test("every zone and precision VBO prints reads as the same instant", () => {
  const instant = Date.UTC(2026, 4, 4, 9, 58, 0, 123);
  for (const text of [
    "2026-05-04T09:58:00.1234567Z",
    "2026-05-04T11:58:00.123+02:00",
    "2026-05-04T04:28:00.12345-05:30",
    "2026-05-04T04:28:00.123-0530",
    "2026-05-04 09:58:00.123",
  ]) {
    assert.equal(parseIsoMs(text), instant, text);
  }
  assert.equal(parseIsoMs("2026-05-04T09:58:00Z"), Date.UTC(2026, 4, 4, 9, 58, 0));
});

test(".NET's DateTime.MinValue, impossible dates and other text", () => {
  assert.equal(parseIsoMs("0001-01-01T00:00:00"), -62135596800000);
  assert.equal(parseIsoMs("2026-02-30T00:00:00Z"), null);
  assert.equal(parseIsoMs("2026-05-04T24:00:00Z"), null);
  assert.equal(parseIsoMs("yesterday"), null);
  assert.equal(parseIsoMs(null), null);
});

test("a timestamp becomes a <time>, anything else stays text, escaped", () => {
  assert.equal(
    vboTimeHtml("2026-05-04T11:58:00.1234567+02:00"),
    '<time datetime="2026-05-04T09:58:00.123Z" title="VBO: 2026-05-04T11:58:00.1234567+02:00">2026-05-04 09:58:00Z</time>',
  );
  assert.equal(vboTimeHtml(`<b>"soon"</b>`), "&lt;b&gt;&quot;soon&quot;&lt;/b&gt;");
  assert.equal(vboTimeHtml(null), "");
});
