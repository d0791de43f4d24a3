// The pure core of a poll: which sessions finish, which events are new, and how a range is sliced.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { BatchPart } from "../../src/poller/batch-builder.ts";
import { buildPollResult, sliceRange } from "../../src/poller/diff.ts";
import type { RestoreEvent, RestoreSession } from "../../src/vbo/types.ts";

function ts(ms: number) {
  return { ns: BigInt(ms) * 1_000_000n, text: new Date(ms).toISOString() };
}

function session(id: string, state: string, startMs: number): RestoreSession {
  return {
    id,
    name: null,
    organization: "Contoso",
    type: "Vex",
    creationTime: ts(startMs),
    endTime: state === "Stopped" ? ts(startMs + 60_000) : null,
    state,
    result: state === "Stopped" ? "Success" : "None",
    initiatedBy: null,
    details: null,
    scopeName: null,
    clientHost: "HOST (via: 10.0.0.1)",
    reason: null,
    eTag: null,
  };
}

function event(id: string, sessionId: string, order: number): RestoreEvent {
  return {
    id,
    sessionId,
    type: "Save",
    status: "Success",
    startTime: ts(order * 1000),
    endTime: null,
    durationText: null,
    durationSeconds: null,
    title: null,
    message: "",
    order,
    itemName: null,
    itemType: null,
    itemSizeBytes: 10,
    source: null,
    target: null,
    organizationId: null,
    backedUpOrganizationId: null,
    userId: null,
    groupId: null,
    siteId: null,
    teamId: null,
  };
}

function part(
  s: RestoreSession,
  role: "new" | "refresh",
  events: RestoreEvent[] = [],
  more: Partial<BatchPart> = {},
): BatchPart {
  return {
    session: s,
    role,
    events,
    fromOffset: 0,
    first: true,
    last: true,
    takeAll: false,
    ...more,
  };
}

test("new and refreshed sessions: stopped ones finish, only unseen events are emitted, in order", () => {
  const { result } = buildPollResult({
    server: "lab",
    observedAtNs: 42n,
    parts: [
      part(session("a", "Stopped", 1_000), "new", [
        event("a2", "a", 2),
        event("a1", "a", 1),
        event("a1", "a", 1),
      ]),
      part(session("b", "Working", 2_000), "new"),
      part(session("c", "Stopped", 500), "refresh", [event("c1", "c", 1), event("c2", "c", 2)]),
      part(session("d", "Working", 600), "refresh", [event("d1", "d", 1)]),
    ],
    seenEvents: new Map([
      ["c", new Set(["c1"])],
      ["d", new Set(["d1"])],
    ]),
  });
  assert.equal(result.server, "lab");
  assert.equal(result.observedAtNs, 42n);
  assert.deepEqual(
    result.newSessions.map((s) => s.id),
    ["a", "b"],
  );
  assert.deepEqual(
    result.finishedSessions.map((s) => s.id),
    ["a", "c"],
  );
  assert.deepEqual(
    result.updatedSessions.map((s) => s.id),
    ["d"],
  );
  assert.deepEqual(
    result.newEvents.map((e) => `${e.session.id}/${e.event.id}`),
    ["a/a1", "a/a2", "c/c2"],
  );
});

test("an event still Running is left for a later poll while its session works, and taken as it is when the session stops", () => {
  const working = session("w", "Working", 1_000);
  const stopped = session("s", "Stopped", 2_000);
  const running = (id: string, sessionId: string, order: number): RestoreEvent => ({
    ...event(id, sessionId, order),
    status: "Running",
    itemSizeBytes: 0,
  });
  const { result, waited } = buildPollResult({
    server: "lab",
    observedAtNs: 1n,
    parts: [
      part(working, "new", [event("w0", "w", 0), running("w1", "w", 1), event("w2", "w", 2)]),
      part(stopped, "new", [event("s0", "s", 0), running("s1", "s", 1)]),
    ],
    seenEvents: new Map(),
  });
  assert.deepEqual(
    [...waited].map(([id, list]) => [id, list.map((e) => e.id)]),
    [["w", ["w1"]]],
    "the running item of the working session waits",
  );
  assert.deepEqual(
    result.newEvents.map((e) => `${e.event.id}:${e.event.status}`),
    ["w0:Success", "w2:Success", "s0:Success", "s1:Running"],
  );
  const later = buildPollResult({
    server: "lab",
    observedAtNs: 2n,
    parts: [
      part(working, "refresh", [event("w0", "w", 0), event("w1", "w", 1), event("w2", "w", 2)]),
    ],
    seenEvents: new Map([["w", new Set(["w0", "w2"])]]),
  });
  assert.deepEqual(
    later.result.newEvents.map((e) => `${e.event.id}:${e.event.status}`),
    ["w1:Success"],
  );
});

test("a session cut into several batches is new in its first part and finishes only with its last", () => {
  const big = session("big", "Stopped", 1_000);
  const first = buildPollResult({
    server: "lab",
    observedAtNs: 1n,
    parts: [part(big, "new", [event("b0", "big", 0), event("b1", "big", 1)], { last: false })],
    seenEvents: new Map(),
  }).result;
  assert.deepEqual(
    first.newSessions.map((s) => s.id),
    ["big"],
  );
  assert.deepEqual(first.finishedSessions, [], "not finished before its last events");
  assert.deepEqual(first.updatedSessions, []);
  const middle = buildPollResult({
    server: "lab",
    observedAtNs: 1n,
    parts: [
      part(big, "refresh", [event("b1", "big", 1), event("b2", "big", 2)], {
        first: false,
        last: false,
      }),
    ],
    seenEvents: new Map([["big", new Set(["b0", "b1"])]]),
  }).result;
  assert.deepEqual(
    [middle.newSessions.length, middle.finishedSessions.length, middle.updatedSessions.length],
    [0, 0, 1],
  );
  assert.deepEqual(
    middle.newEvents.map((e) => e.event.id),
    ["b2"],
    "an event listed again is not taken twice",
  );
  const last = buildPollResult({
    server: "lab",
    observedAtNs: 1n,
    parts: [part(big, "refresh", [event("b3", "big", 3)], { first: false })],
    seenEvents: new Map([["big", new Set(["b0", "b1", "b2"])]]),
  }).result;
  assert.deepEqual(
    last.finishedSessions.map((s) => s.id),
    ["big"],
  );
  assert.deepEqual(last.updatedSessions, []);
});

test("a range is read in bounded slices, oldest first, the last one open-ended", () => {
  assert.deepEqual(sliceRange(0, 250, 100), [
    { fromMs: 0, toMs: 100 },
    { fromMs: 100, toMs: 200 },
    { fromMs: 200, toMs: null },
  ]);
  assert.deepEqual(sliceRange(0, 100, 100), [{ fromMs: 0, toMs: null }]);
  assert.deepEqual(sliceRange(500, 400, 100), [{ fromMs: 500, toMs: null }]);
});
