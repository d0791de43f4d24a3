// Planning a backfill from a server that ignores startTimeTo (every slice lists every later
// session again), while the commits lag behind the listing: each session is planned new once, and
// a quarantined session listed and committed in the same poll is not read again by id.
import assert from "node:assert/strict";
import { test } from "node:test";
import { planPoll } from "../../src/poller/plan.ts";
import type { ListSessionsQuery, RestoreSession } from "../../src/vbo/types.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-03-16T08:00:00Z");
const FROM = NOW - 2 * DAY;
const SESSIONS = 6000;
/** Sessions planned but not yet committed while the listing goes on. */
const LAG = 1500;

function ts(ms: number) {
  return { ns: BigInt(ms) * 1_000_000n, text: new Date(ms).toISOString() };
}

function session(i: number): RestoreSession {
  const startMs = FROM + 60_000 + i * Math.floor((2 * DAY - 120_000) / SESSIONS);
  return {
    id: `77777777-7777-4777-8777-${String(i).padStart(12, "0")}`,
    name: null,
    organization: "Contoso",
    type: "Vex",
    creationTime: ts(startMs),
    endTime: ts(startMs + 30_000),
    state: "Stopped",
    result: "Success",
    initiatedBy: null,
    details: null,
    scopeName: null,
    clientHost: "HOST (via: 10.0.0.1)",
    reason: null,
    eTag: null,
  };
}

test("a server ignoring startTimeTo has each session planned new once while commits lag behind", async () => {
  const all = Array.from({ length: SESSIONS }, (_, i) => session(i));
  const committed = new Set<string>();
  const retried = all[10]?.id ?? "";
  const readById: string[] = [];
  let listings = 0;
  const items = planPoll({
    fromMs: FROM,
    nowMs: NOW,
    sliceMs: 6 * 3_600_000,
    running: new Map(),
    memory: {
      lastRereadMs: new Map(),
      eTags: new Map(),
      eventOffsets: new Map(),
      changeFeed: "unavailable",
      quiet: new Map(),
    },
    overdue: () => false,
    async *listSessions(query: ListSessionsQuery) {
      listings++;
      const from = query.startTimeFrom?.getTime() ?? 0;
      for (const s of all) if (Number(s.creationTime.ns / 1_000_000n) >= from) yield s;
    },
    quarantine: () => {},
    retryEvents: new Set(),
    retrySessions: [retried],
    getSession: async (id) => {
      readById.push(id);
      const found = all.find((s) => s.id === id);
      if (found === undefined) throw new Error(`no session ${id}`);
      return found;
    },
    knownSessionIds: (ids) => new Set(ids.filter((id) => committed.has(id))),
    serverNowMs: () => undefined,
  });
  const planned: string[] = [];
  for await (const item of items) {
    if (item.kind !== "new") continue;
    planned.push(item.session.id);
    // The commit of a session comes LAG sessions after its planning.
    const due = planned[planned.length - 1 - LAG];
    if (due !== undefined) committed.add(due);
  }
  assert.ok(listings >= 8, `${listings} slices listed`);
  assert.equal(planned.length, SESSIONS);
  assert.equal(new Set(planned).size, SESSIONS);
  assert.deepEqual(readById, []);
});
