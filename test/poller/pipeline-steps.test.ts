// The pipeline's steps on their own: the memory is returned, never changed in place; batches are
// cut by events and keep a session's parts in order; the refresh plan reads only what changed; and
// the fetch pool has the next sessions' requests out while the consumer still holds a chunk.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createBatchBuilder } from "../../src/poller/batch-builder.ts";
import { type Chunk, type EventSource, fetchInOrder } from "../../src/poller/fetch-pool.ts";
import { planRefresh, type WorkItem } from "../../src/poller/plan.ts";
import {
  EMPTY_POLL_MEMORY,
  keepRunning,
  type PollMemory,
  rememberCommitted,
} from "../../src/poller/poll-memory.ts";
import type { RestoreEvent, RestoreSession } from "../../src/vbo/types.ts";

function ts(ms: number) {
  return { ns: BigInt(ms) * 1_000_000n, text: new Date(ms).toISOString() };
}

function session(id: string, eTag: number | null = null): RestoreSession {
  return {
    id,
    name: null,
    organization: "Contoso",
    type: "Vex",
    creationTime: ts(1_000),
    endTime: null,
    state: "Working",
    result: "Success",
    initiatedBy: null,
    details: null,
    scopeName: null,
    clientHost: null,
    reason: null,
    eTag,
  };
}

function event(id: string, sessionId: string, status = "Success"): RestoreEvent {
  return {
    id,
    sessionId,
    type: "Save",
    status,
    startTime: ts(2_000),
    endTime: null,
    durationText: null,
    durationSeconds: null,
    title: null,
    message: "",
    order: 1,
    itemName: null,
    itemType: null,
    itemSizeBytes: 1,
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

/** A deep copy of the memory's contents, to show it did not change. */
function snapshot(memory: PollMemory) {
  return JSON.stringify(memory, (_key, value: unknown) =>
    value instanceof Map || value instanceof Set
      ? [...value]
      : typeof value === "bigint"
        ? String(value)
        : value,
  );
}

test("a poll step returns the next memory and leaves the one it was given as it was", () => {
  const before: PollMemory = {
    ...EMPTY_POLL_MEMORY,
    heldBack: new Map([["a", { session: session("a"), events: [event("a1", "a", "Running")] }]]),
    lastRereadMs: new Map([
      ["a", 1],
      ["gone", 2],
    ]),
    eTags: new Map([["a", 3]]),
    eventOffsets: new Map([["a", 1]]),
  };
  const frozen = snapshot(before);
  const pruned = keepRunning(before, new Set(["a", "b"]));
  const after = rememberCommitted(pruned, [
    {
      session: session("a", 4),
      first: true,
      last: true,
      known: true,
      took: 1,
      waited: [],
      nextOffset: 3,
      readAtMs: 10,
      rereadAtMs: 10,
    },
    {
      session: session("b", 1),
      first: true,
      last: true,
      known: true,
      took: 0,
      waited: [event("b1", "b", "Running")],
      nextOffset: 0,
      readAtMs: 10,
    },
  ]);
  assert.equal(snapshot(before), frozen, "the memory given is unchanged");
  assert.notEqual(after, before);
  assert.deepEqual([...after.lastRereadMs], [["a", 10]], "pruned and updated in the new one");
  assert.deepEqual([...after.heldBack.keys()], ["b"]);
  assert.deepEqual(
    [...after.eTags],
    [
      ["a", 4],
      ["b", 1],
    ],
  );
  assert.deepEqual(
    [...after.eventOffsets],
    [
      ["a", 3],
      ["b", 0],
    ],
  );
  assert.deepEqual([...after.quiet.keys()], ["b"], "only a read that took nothing is quiet");
  assert.equal(keepRunning(after, new Set(["a", "b"])), after, "nothing to prune: the same value");
});

test("batches are cut by events; a session cut in two is new in the first, finished in neither until its last", () => {
  const builder = createBatchBuilder({ maxEvents: 3, maxBytes: 1e9, maxSessions: 10 });
  const piece = (id: string, n: number, last = true) => ({
    session: session(id),
    role: "new" as const,
    events: Array.from({ length: n }, (_, i) => event(`${id}${i}`, id)),
    fromOffset: 0,
    first: true,
    last,
  });
  assert.deepEqual(builder.add(piece("a", 1)), []);
  const ready = builder.add(piece("b", 6));
  builder.mark(99);
  const rest = builder.flush();
  const shape = [...ready, ...(rest ? [rest] : [])].map((batch) => ({
    parts: batch.parts.map(
      (p) => `${p.session.id}:${p.role}:${p.fromOffset}+${p.events.length}${p.last ? ":last" : ""}`,
    ),
    cursorMs: batch.cursorMs,
  }));
  assert.deepEqual(shape, [
    { parts: ["a:new:0+1:last", "b:new:0+2"], cursorMs: undefined },
    { parts: ["b:refresh:2+3"], cursorMs: undefined },
    { parts: ["b:refresh:5+1:last"], cursorMs: 99 },
  ]);
});

test("the refresh plan reads a running session only when the feed or its listing says it changed", () => {
  const running = new Map([
    ["same", 1],
    ["moved", 2],
    ["unknown", 3],
    ["deleted", 4],
    ["listed", 5],
  ]);
  const memory = {
    ...EMPTY_POLL_MEMORY,
    eTags: new Map([
      ["same", 7],
      ["moved", 7],
      ["deleted", 7],
      ["listed", 7],
    ]),
    eventOffsets: new Map([["moved", 12]]),
    changeFeed: {
      token: "t",
      updated: new Map([
        ["same", 7],
        ["moved", 8],
      ]),
      deleted: new Set(["deleted"]),
    },
  };
  const items = planRefresh(
    { running, memory, nowMs: 10, overdue: () => false },
    new Map([["listed", session("listed", 7)]]),
  );
  const brief = (item: WorkItem) =>
    item.kind === "refresh"
      ? `${item.id}@${item.fromOffset}`
      : `${item.kind}:${"id" in item ? item.id : ""}`;
  assert.deepEqual(items.map(brief), ["moved@12", "unknown@0", "gone:deleted"]);
});

test("the fetch pool has the next sessions' requests out while the consumer still holds a chunk", async () => {
  const started: string[] = [];
  const release = new Map<string, () => void>();
  const source: EventSource = {
    getSession: (id) => Promise.resolve(session(id)),
    async *listEvents(id) {
      started.push(id);
      await new Promise<void>((resolve) => release.set(id, resolve));
      yield event(`${id}-e`, id);
    },
    showsNews: () => true,
    quarantine: () => undefined,
    nowMs: () => 0,
  };
  const ids = ["s0", "s1", "s2", "s3", "s4"];
  async function* plan(): AsyncGenerator<WorkItem> {
    for (const id of ids) yield { kind: "new", session: session(id) };
  }
  const chunks = fetchInOrder(plan, source, {
    concurrency: 3,
    chunkEvents: 10,
    aheadEvents: 100,
    aheadSessions: 100,
  });
  const next = chunks.next();
  const until = async (condition: () => boolean) => {
    while (!condition()) await new Promise((resolve) => setImmediate(resolve));
  };
  await until(() => started.length === 3);
  assert.deepEqual(started, ["s0", "s1", "s2"], "three requests in flight, in plan order");
  release.get("s1")?.();
  await until(() => started.length === 4);
  assert.deepEqual(started.at(-1), "s3", "a finished request is replaced at once, head or not");
  release.get("s0")?.();
  const first = (await next).value as Chunk;
  assert.equal(first.kind === "events" && first.session.id, "s0", "handed on in plan order");
  // The consumer now holds s0 (as a commit would): requests for later sessions are out already.
  await until(() => started.length === 5);
  assert.deepEqual(started, ids);
  for (const id of ids) release.get(id)?.();
  const order: string[] = [];
  for await (const chunk of chunks) if (chunk.kind === "events") order.push(chunk.session.id);
  assert.deepEqual(order, ["s1", "s2", "s3", "s4"]);
});
