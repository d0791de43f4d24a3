// An event VBO reports as Running is counted once, as it ended, and its bytes are not lost; one
// running for longer than the wait is taken as it is, once.
import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import type { Registry } from "prom-client";
import { startCore } from "../helpers/exporter-core.ts";
import { manualClock } from "../helpers/manual-clock.ts";
import { actual } from "../helpers/truth.ts";
import { json, startFakeVbo } from "../vbo/fake-vbo.ts";

const T0 = Date.parse("2026-03-16T08:00:00Z");
const SESSION_ID = "11111111-1111-4111-8111-111111111111";

/** vbo_restore_events_total as {"event_type/status": value}. */
async function eventTotals(registry: Registry): Promise<Record<string, number>> {
  return Object.fromEntries(
    [...(await actual(registry, "vbo_restore_events_total"))].map(([k, v]) => [
      k.replace(/.*event_type=(\w+),.*status=(\w+).*/, "$1/$2"),
      v,
    ]),
  );
}

async function startWorld(t: TestContext, saveStart: string) {
  const clock = manualClock(T0);
  let saved = false;
  let stopped = false;
  const session = () => ({
    id: SESSION_ID,
    type: "Veod",
    organization: "contoso.onmicrosoft.com",
    clientHost: "PC1",
    creationTime: "2026-03-16T07:59:00Z",
    endTime: stopped ? "2026-03-16T08:03:00Z" : null,
    state: stopped ? "Stopped" : "Working",
    result: "Success",
  });
  const events = () => [
    {
      id: "e0",
      type: "None",
      status: "Success",
      startTime: "2026-03-16T07:59:00Z",
      message: "Restore session started",
      order: 0,
    },
    {
      id: "e1",
      type: "Save",
      status: saved ? "Success" : "Running",
      startTime: saveStart,
      endTime: saved ? "2026-03-16T08:01:00Z" : null,
      message: "Item Q1.xlsx",
      order: 1,
      itemSizeBytes: saved ? 5_000_000 : 0,
    },
  ];
  const page = (results: unknown[]) => json(200, { offset: 0, limit: 1000, results, _links: {} });
  const vbo = await startFakeVbo({
    clock,
    intercept: (request) => {
      const path = new URL(request.url, "http://vbo").pathname;
      if (path === "/v8/RestoreSessions") return page([session()]);
      if (path === `/v8/RestoreSessions/${SESSION_ID}`) return json(200, session());
      if (path === `/v8/RestoreSessions/${SESSION_ID}/Events`) return page(events());
      return undefined;
    },
  });
  const core = startCore({
    targets: [
      { name: "lab", url: vbo.url, username: "admin", password: "p@ss w0rd!", apiVersion: "v8" },
    ],
    clock,
  });
  t.after(async () => {
    await core.close();
    await vbo.close();
  });
  const eventsTotal = () => eventTotals(core.registry);
  const bytesTotal = async () => [
    ...(await actual(core.registry, "vbo_restore_items_bytes_total")).values(),
  ];

  return {
    clock,
    core,
    eventsTotal,
    bytesTotal,
    save: () => {
      saved = true;
    },
    stop: () => {
      stopped = true;
    },
  };
}

test("an event first seen Running is counted once, with the status and size it ended with", async (t) => {
  const { clock, core, eventsTotal, bytesTotal, save, stop } = await startWorld(
    t,
    "2026-03-16T07:59:30Z",
  );
  await core.poller().pollOnce();
  assert.equal(core.poller().status().up, true, JSON.stringify(core.poller().status().lastError));
  assert.deepEqual(await eventsTotal(), { "none/success": 1 }, "the running save waits");

  save();
  clock.advance(60_000);
  await core.poller().pollOnce();
  assert.deepEqual(await eventsTotal(), { "none/success": 1, "save/success": 1 });
  assert.deepEqual(await bytesTotal(), [5_000_000]);

  stop();
  clock.advance(60_000);
  await core.poller().pollOnce();
  assert.deepEqual(await eventsTotal(), { "none/success": 1, "save/success": 1 }, "counted once");
  assert.deepEqual(await bytesTotal(), [5_000_000]);
});

test("an item Running for longer than the wait is taken as it is, once, so its record is not held back past Loki's window", async (t) => {
  const { clock, core, eventsTotal, bytesTotal, save, stop } = await startWorld(
    t,
    "2026-03-16T07:20:00Z",
  );
  await core.poller().pollOnce();
  assert.deepEqual(await eventsTotal(), { "none/success": 1, "save/running": 1 });
  save();
  stop();
  clock.advance(60_000);
  await core.poller().pollOnce();
  assert.deepEqual(await eventsTotal(), { "none/success": 1, "save/running": 1 }, "counted once");
  assert.deepEqual(await bytesTotal(), []);
});

test("a session VBO no longer has (404) still gets its held-back Running event counted, once", async (t) => {
  const clock = manualClock(T0);
  let gone = false;
  const session = {
    id: SESSION_ID,
    type: "Veod",
    organization: "contoso.onmicrosoft.com",
    clientHost: "PC1",
    creationTime: "2026-03-16T07:59:00Z",
    endTime: null,
    state: "Working",
    result: "Success",
  };
  const events = [
    {
      id: "e0",
      type: "None",
      status: "Success",
      startTime: "2026-03-16T07:59:00Z",
      message: "Restore session started",
      order: 0,
    },
    {
      id: "e1",
      type: "Export",
      status: "Running",
      startTime: "2026-03-16T07:59:30Z",
      endTime: null,
      message: "Item big.pst",
      order: 1,
      itemSizeBytes: 0,
    },
  ];
  const page = (results: unknown[]) => json(200, { offset: 0, limit: 1000, results, _links: {} });
  const vbo = await startFakeVbo({
    clock,
    intercept: (request) => {
      const path = new URL(request.url, "http://vbo").pathname;
      if (path === "/v8/RestoreSessions") return page(gone ? [] : [session]);
      if (path === `/v8/RestoreSessions/${SESSION_ID}`)
        return gone ? json(404, { message: "not found" }) : json(200, session);
      if (path === `/v8/RestoreSessions/${SESSION_ID}/Events`)
        return gone ? json(404, { message: "not found" }) : page(events);
      return undefined;
    },
  });
  const core = startCore({
    targets: [
      { name: "lab", url: vbo.url, username: "admin", password: "p@ss w0rd!", apiVersion: "v8" },
    ],
    clock,
  });
  t.after(async () => {
    await core.close();
    await vbo.close();
  });
  const totals = () => eventTotals(core.registry);
  await core.poller().pollOnce();
  assert.deepEqual(await totals(), { "none/success": 1 }, "the running export waits");
  gone = true;
  for (let i = 0; i < 3; i++) {
    clock.advance(2 * 3_600_000);
    await core.poller().pollOnce();
    assert.equal(core.poller().status().up, true, JSON.stringify(core.poller().status().lastError));
  }
  assert.deepEqual(await totals(), { "none/success": 1, "export/running": 1 });
  assert.deepEqual(core.store.serverState("lab").runningSessionIds, [], "no longer tracked");
});
