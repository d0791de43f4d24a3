// Basic auth with a passwordHash under a flood of wrong guesses, over real HTTP, right after a
// start (nothing cached yet): the right password is never answered 401; from another address it
// is answered 200 while the flood goes on, and from the flooding address 200 or 503 + Retry-After.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Registry } from "prom-client";
import { hashPassword } from "../../src/config/password-hash.ts";
import { createApp } from "../../src/http/app.ts";
import { startWebServer, type WebServer } from "../../src/http/server.ts";
import { basic, get, type Reply } from "./request.ts";

const PASSWORD = "right horse battery";

async function serveHashed(): Promise<WebServer> {
  // ln=12: a few milliseconds per check, slow enough that 150 guesses fill the queue.
  const passwordHash = await hashPassword(PASSWORD, 12);
  const app = createApp({
    registry: new Registry(),
    statuses: () => [],
    recentSessions: () => [],
    ready: () => ({ ready: true }),
    version: "test",
    basicAuth: { username: "prom", password: null, passwordHash },
  });
  return startWebServer(app, { host: "127.0.0.1", port: 0, tls: null });
}

function flood(server: WebServer, from: string, count: number): Promise<Reply[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      get(`${server.url}metrics`, { headers: basic("prom", `guess ${i}`), localAddress: from }),
    ),
  );
}

test("150 parallel guesses from another address: every scrape with the right password gets 200", async (t) => {
  const server = await serveHashed();
  t.after(() => server.close());
  const guesses = flood(server, "127.0.0.2", 150);
  const scrapes = Promise.all(
    Array.from({ length: 12 }, () =>
      get(`${server.url}metrics`, { headers: basic("prom", PASSWORD), localAddress: "127.0.0.1" }),
    ),
  );
  const [answered, statuses] = await Promise.all([
    guesses,
    scrapes.then((r) => r.map((reply) => reply.status)),
  ]);
  assert.deepEqual(statuses, new Array(12).fill(200));
  // The flood did fill the queue: some guesses were turned away as busy, none let in.
  const guessStatuses = new Set(answered.map((r) => r.status));
  assert.ok(guessStatuses.has(503), `guess answers: ${[...guessStatuses]}`);
  assert.ok(!guessStatuses.has(200));
});

test("guesses and the right password from one address: never 401 for the right one", async (t) => {
  const server = await serveHashed();
  t.after(() => server.close());
  const guesses = flood(server, "127.0.0.1", 150);
  const scrapes = Promise.all(
    Array.from({ length: 12 }, () =>
      get(`${server.url}metrics`, { headers: basic("prom", PASSWORD), localAddress: "127.0.0.1" }),
    ),
  );
  const [, replies] = await Promise.all([guesses, scrapes]);
  for (const reply of replies) {
    assert.ok(reply.status === 200 || reply.status === 503, `status ${reply.status}`);
    if (reply.status === 503) assert.equal(reply.headers["retry-after"], "1");
  }
  // Once the flood has drained, the right password passes.
  const after = await get(`${server.url}metrics`, { headers: basic("prom", PASSWORD) });
  assert.equal(after.status, 200);
});
