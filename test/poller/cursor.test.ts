// The pure cursor rule: a slice moves the cursor to its end or its newest session, never past VBO's now.
import assert from "node:assert/strict";
import { test } from "node:test";
import { countStampedAhead, sliceCursorMs } from "../../src/poller/cursor.ts";
import type { RestoreSession } from "../../src/vbo/types.ts";

function startedAt(ms: number): RestoreSession {
  return {
    id: `s${ms}`,
    name: null,
    organization: null,
    type: "Vex",
    creationTime: { ns: BigInt(ms) * 1_000_000n + 400_000n, text: "" },
    endTime: null,
    state: "Working",
    result: "Success",
    initiatedBy: null,
    details: null,
    scopeName: null,
    clientHost: null,
    reason: null,
    eTag: null,
  };
}

test("a closed slice reaches its end, the open one its newest session; neither passes VBO's now", () => {
  const closed = { fromMs: 0, toMs: 6_000 };
  const open = { fromMs: 6_000, toMs: null };
  const listed = [startedAt(7_000), startedAt(9_000), startedAt(8_000)];
  assert.equal(sliceCursorMs(closed, [], undefined), 6_000, "without VBO's clock: as before");
  assert.equal(sliceCursorMs(open, listed, undefined), 9_000);
  assert.equal(sliceCursorMs(open, [], 20_000), undefined, "nothing listed: the cursor stays");
  assert.equal(sliceCursorMs(closed, [], 20_000), 6_000);
  assert.equal(sliceCursorMs(closed, [], 4_000), 4_000, "VBO's clock is behind the slice's end");
  assert.equal(sliceCursorMs(open, listed, 8_500), 8_500, "a session stamped after VBO's now");
});

test("sessions stamped later than VBO's now plus the tolerance count as stamped ahead", () => {
  const listed = [startedAt(1_000), startedAt(70_000), startedAt(70_001)];
  assert.equal(countStampedAhead(listed, undefined, 60_000), 0);
  assert.equal(countStampedAhead(listed, 10_000, 60_000), 2);
  assert.equal(countStampedAhead(listed, 10_001, 60_000), 1);
});
