// A session Working for more than a day (often one VBO never closed) is re-read by id at most every
// ten minutes, not on every poll; a young one every poll; it is counted when it finally stops.
import assert from "node:assert/strict";
import { test } from "node:test";
import { LONG_RUNNING_REREAD_EVERY_MS } from "../../src/poller/reread.ts";
import { startCore } from "../helpers/exporter-core.ts";
import { manualClock } from "../helpers/manual-clock.ts";
import { actual } from "../helpers/truth.ts";
import { json, startFakeVbo } from "../vbo/fake-vbo.ts";

const T0 = Date.parse("2026-03-16T08:00:00Z");
const OLD_ID = "22222222-2222-4222-8222-222222222222";
const YOUNG_ID = "33333333-3333-4333-8333-333333333333";
const LATE_ID = "44444444-4444-4444-8444-444444444444";

test("a session Working for days is re-read every ten minutes; a young one every poll", async (t) => {
  const clock = manualClock(T0);
  let oldStopped = false;
  const sessions = () => [
    {
      id: OLD_ID,
      type: "Vex",
      organization: "contoso.onmicrosoft.com",
      clientHost: "PC1",
      creationTime: "2026-03-14T08:00:00Z",
      endTime: oldStopped ? "2026-03-16T08:30:00Z" : null,
      state: oldStopped ? "Stopped" : "Working",
      result: "Success",
    },
    {
      id: YOUNG_ID,
      type: "Vex",
      organization: "contoso.onmicrosoft.com",
      clientHost: "PC2",
      creationTime: "2026-03-16T07:00:00Z",
      endTime: null,
      state: "Working",
      result: "Success",
    },
    // A later, short restore: it moves the cursor, so the young one is no longer listed either.
    {
      id: LATE_ID,
      type: "Vex",
      organization: "contoso.onmicrosoft.com",
      clientHost: "PC3",
      creationTime: "2026-03-16T10:55:00Z",
      endTime: "2026-03-16T10:56:00Z",
      state: "Stopped",
      result: "Success",
    },
  ];
  const page = (results: unknown[]) => json(200, { offset: 0, limit: 1000, results, _links: {} });
  const byId: Record<string, number> = { [OLD_ID]: 0, [YOUNG_ID]: 0 };
  const vbo = await startFakeVbo({
    clock,
    intercept: (request) => {
      const url = new URL(request.url, "http://vbo");
      if (url.pathname === "/v8/RestoreSessions") {
        const from = Date.parse(url.searchParams.get("startTimeFrom") ?? "1970-01-01T00:00:00Z");
        return page(
          sessions().filter(
            (s) => Date.parse(s.creationTime) >= from && Date.parse(s.creationTime) <= clock.now(),
          ),
        );
      }
      const match = /^\/v8\/RestoreSessions\/([^/]+)(\/Events)?$/.exec(url.pathname);
      const session = sessions().find((s) => s.id === match?.[1]);
      if (!match || !session) return undefined;
      if (!match[2]) return json(200, session);
      // Every read lists the session's events (from the offset already seen): count those.
      if (session.id in byId) byId[session.id] = (byId[session.id] ?? 0) + 1;
      // VBO adds its "stopped" lifecycle entry when a session stops.
      const events =
        session.state === "Stopped"
          ? [
              {
                id: `${session.id.slice(0, -4)}stop`,
                type: "None",
                status: "Success",
                startTime: session.endTime,
                message: "Restore session has been stopped",
                order: 0,
              },
            ]
          : [];
      return page(events.slice(Number(url.searchParams.get("offset") ?? "0")));
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
  const poll = async (advanceMs: number) => {
    clock.advance(advanceMs);
    await core.poller().pollOnce();
    assert.equal(core.poller().status().up, true, JSON.stringify(core.poller().status().lastError));
  };

  await poll(0); // 08:00: the first poll lists both running sessions (lookback)
  assert.deepEqual(byId, { [OLD_ID]: 1, [YOUNG_ID]: 1 });
  await poll(3 * 3_600_000); // 11:00: the old one is re-read by id, the young one still listed
  assert.deepEqual(byId, { [OLD_ID]: 2, [YOUNG_ID]: 2 });
  for (let i = 0; i < 5; i++) await poll(60_000); // both re-read by id from now on
  assert.deepEqual(byId, { [OLD_ID]: 2, [YOUNG_ID]: 7 }, "the old one waits, the young one not");
  await poll(LONG_RUNNING_REREAD_EVERY_MS - 5 * 60_000);
  assert.deepEqual(byId, { [OLD_ID]: 3, [YOUNG_ID]: 8 });

  oldStopped = true;
  await poll(60_000);
  assert.equal(byId[OLD_ID], 3, "its stop is seen at the next ten-minute re-read");
  await poll(LONG_RUNNING_REREAD_EVERY_MS);
  const finished = await actual(core.registry, "vbo_restore_sessions_finished_total");
  const total = (values: Map<string, number>) => [...values.values()].reduce((a, b) => a + b, 0);
  assert.equal(total(finished), 2, "the late one and the old one");
  const running = await actual(core.registry, "vbo_restore_sessions_running");
  assert.equal(total(running), 1, "the young one still runs");
});
