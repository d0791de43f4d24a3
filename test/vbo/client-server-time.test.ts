// The client reads VBO's own clock from the Date header of its answers, without extra requests.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createVboClient } from "../../src/vbo/client.ts";
import { fakeClock } from "./fake-clock.ts";
import { startFakeVbo } from "./fake-vbo.ts";

const T0 = Date.parse("2026-03-16T08:00:00.750Z");

test("serverTime: the latest answer's Date (to the second) and when it arrived on this host's clock", async (t) => {
  const clock = fakeClock(T0);
  const vbo = await startFakeVbo({ clock, sessions: 2, clockSkewMs: -3 * 3_600_000 });
  const client = createVboClient({
    url: vbo.url,
    apiVersion: "v8",
    username: "admin",
    password: "p@ss w0rd!",
    clock,
  });
  t.after(async () => {
    client.close();
    await vbo.close();
  });
  assert.equal(client.serverTime(), null, "nothing is known before the first answer");
  await client.getRestoreSession("1");
  assert.deepEqual(client.serverTime(), {
    serverMs: Date.parse("2026-03-16T05:00:00Z"),
    localMs: T0,
  });
  clock.advance(61_000);
  for await (const _ of client.listRestoreSessions({})) {
    // reading the list is enough
  }
  assert.deepEqual(client.serverTime(), {
    serverMs: Date.parse("2026-03-16T05:01:01Z"),
    localMs: T0 + 61_000,
  });
  assert.equal(client.requestCount(), 3, "the token and the two reads: no request of its own");
});

test("serverTime: null after an answer without a usable Date header", async (t) => {
  const clock = fakeClock(T0);
  let date = "Mon, 16 Mar 2026 07:59:00 GMT";
  const vbo = await startFakeVbo({
    clock,
    sessions: 1,
    intercept: (seen) =>
      seen.url.startsWith("/v8/ServiceInstance")
        ? {
            status: 200,
            body: JSON.stringify({ installationId: "i", version: "8.1" }),
            headers: { "content-type": "application/json", date },
          }
        : undefined,
  });
  const client = createVboClient({
    url: vbo.url,
    apiVersion: "v8",
    username: "admin",
    password: "p@ss w0rd!",
    clock,
  });
  t.after(async () => {
    client.close();
    await vbo.close();
  });
  await client.serviceInstance();
  assert.equal(client.serverTime()?.serverMs, Date.parse("2026-03-16T07:59:00Z"));
  date = "not a date";
  await client.serviceInstance();
  assert.equal(client.serverTime(), null);
});
