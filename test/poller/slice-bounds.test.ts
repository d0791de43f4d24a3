// A session started exactly on the boundary between two time slices of a backfill is counted,
// whether VBO's startTimeFrom/startTimeTo include their instant or not (undocumented).
import assert from "node:assert/strict";
import { test } from "node:test";
import { startCore } from "../helpers/exporter-core.ts";
import { manualClock } from "../helpers/manual-clock.ts";
import { actual } from "../helpers/truth.ts";
import { json, startFakeVbo } from "../vbo/fake-vbo.ts";

const T0 = Date.parse("2026-03-16T08:00:00Z");
const DAY = 86_400_000;
const SLICE = 6 * 3_600_000;

for (const bounds of ["exclusive", "inclusive"] as const) {
  test(`a session exactly on a slice boundary is counted once (${bounds} bounds)`, async (t) => {
    const clock = manualClock(T0);
    const lookbackMs = 2 * DAY;
    const boundary = T0 - lookbackMs + SLICE;
    const session = {
      id: "55555555-5555-4555-8555-555555555555",
      type: "Vex",
      organization: "contoso.onmicrosoft.com",
      clientHost: "PC1",
      creationTime: new Date(boundary).toISOString(),
      endTime: new Date(boundary + 60_000).toISOString(),
      state: "Stopped",
      result: "Success",
    };
    const vbo = await startFakeVbo({
      clock,
      intercept: (request) => {
        const url = new URL(request.url, "http://vbo");
        if (url.pathname === "/v8/RestoreSessions") {
          const from = Date.parse(url.searchParams.get("startTimeFrom") ?? "1970-01-01T00:00:00Z");
          const toText = url.searchParams.get("startTimeTo");
          const to = toText === null ? Number.POSITIVE_INFINITY : Date.parse(toText);
          const at = Date.parse(session.creationTime);
          const inside = bounds === "exclusive" ? at > from && at < to : at >= from && at <= to;
          return json(200, {
            offset: 0,
            limit: 1000,
            results: inside ? [session] : [],
            _links: {},
          });
        }
        if (url.pathname === `/v8/RestoreSessions/${session.id}/Events`)
          return json(200, { offset: 0, limit: 1000, results: [], _links: {} });
        return undefined;
      },
    });
    const core = startCore({
      targets: [
        { name: "lab", url: vbo.url, username: "admin", password: "p@ss w0rd!", apiVersion: "v8" },
      ],
      clock,
      poller: { lookbackMs },
    });
    t.after(async () => {
      await core.close();
      await vbo.close();
    });
    await core.poller().pollOnce();
    assert.equal(core.poller().status().up, true);
    const sessions = await actual(core.registry, "vbo_restore_sessions_total");
    assert.equal(
      [...sessions.values()].reduce((a, b) => a + b, 0),
      1,
    );
  });
}
