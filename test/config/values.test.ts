// Small value parsers of the configuration: durations, listen addresses, shard assignment.
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDuration, parseDuration } from "../../src/config/duration.ts";
import { parseListenAddress } from "../../src/config/listen-address.ts";
import { serversForShard, stableHash } from "../../src/config/sharding.ts";
import type { ServerConfig } from "../../src/config/types.ts";

test("durations like 30s, 5m, 1h30m, 7d, 250ms", () => {
  const cases: [string, number | null][] = [
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["7d", 604_800_000],
    ["2w", 1_209_600_000],
    ["250ms", 250],
    ["1.5s", 1_500],
    ["0s", 0],
    ["30", null],
    ["s", null],
    ["-5s", null],
    ["5 s", null],
    ["", null],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
  assert.equal(formatDuration(5_400_000), "1h30m");
  assert.equal(formatDuration(604_800_000), "7d");
  assert.equal(formatDuration(0), "0s");
});

test("listen addresses", () => {
  assert.deepEqual(parseListenAddress(":9853"), { host: undefined, port: 9853 });
  assert.deepEqual(parseListenAddress("127.0.0.1:0"), { host: "127.0.0.1", port: 0 });
  assert.deepEqual(parseListenAddress("[::1]:80"), { host: "::1", port: 80 });
  assert.deepEqual(parseListenAddress("exporter.local:9853"), {
    host: "exporter.local",
    port: 9853,
  });
  for (const bad of ["9853", "host:", "host:70000", "::1:80", "a b:1"]) {
    assert.equal(parseListenAddress(bad), null, bad);
  }
});

test("sharding: every server lands on exactly one replica, stably", () => {
  assert.equal(stableHash(""), 0x811c9dc5);
  assert.equal(stableHash("a"), 0xe40c292c);
  const servers = Array.from({ length: 40 }, (_, i) => ({ name: `vbo-${i}` }) as ServerConfig);
  const count = 3;
  const parts = [0, 1, 2].map((index) => serversForShard(servers, { index, count }));
  const all = parts
    .flat()
    .map((s) => s.name)
    .sort();
  assert.deepEqual(all, servers.map((s) => s.name).sort());
  for (const part of parts) assert.ok(part.length > 5, "the split is roughly even");
  assert.deepEqual(serversForShard(servers, { index: 0, count: 1 }), servers);
});
