// The hold itself: exposed at 0 at once, increments applied in order when the hold is over, a
// known key never held, and nothing left pending after a release.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createNewSeriesHold } from "../../src/metrics/new-series-hold.ts";

test("a new key is exposed at once and its increments wait for the hold, in order", () => {
  let now = 0;
  const log: string[] = [];
  const hold = createNewSeriesHold({ holdMs: 1000, now: () => now });
  hold.count(
    "a",
    () => log.push("a=0"),
    () => log.push("a+1"),
  );
  hold.count(
    "a",
    () => log.push("a=0 again"),
    () => log.push("a+2"),
  );
  hold.known("b");
  hold.count(
    "b",
    () => log.push("b=0"),
    () => log.push("b+5"),
  );
  assert.deepEqual(log, ["a=0", "b+5"]);
  assert.equal(hold.pending(), 2);
  now = 999;
  hold.release();
  assert.equal(hold.pending(), 2);
  now = 1000;
  hold.release();
  assert.deepEqual(log, ["a=0", "b+5", "a+1", "a+2"]);
  assert.equal(hold.pending(), 0);
  hold.count(
    "a",
    () => log.push("a=0 once more"),
    () => log.push("a+3"),
  );
  assert.deepEqual(log.slice(-1), ["a+3"]);
});

test("with no hold every increment applies at once", () => {
  const log: string[] = [];
  const hold = createNewSeriesHold({ holdMs: 0, now: () => 0 });
  hold.count(
    "a",
    () => log.push("a=0"),
    () => log.push("a+1"),
  );
  assert.deepEqual(log, ["a+1"]);
  assert.equal(hold.pending(), 0);
});
