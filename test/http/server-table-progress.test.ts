// The servers table shows a backfill's own figures while it runs, and nothing when there are none.
import assert from "node:assert/strict";
import { test } from "node:test";
import { serverTable } from "../../src/http/server-table.ts";

const base = {
  server: "lab",
  url: "https://vbo.example:4443",
  apiVersion: "v8" as const,
  serverVersion: "8.1",
  up: false,
  polls: 0,
  lastPollStartedAt: Date.parse("2026-05-04T09:00:00Z"),
  lastSuccessAt: null,
  lastError: null,
};

test("a first backfill shows a progress bar with the time reached, counts, pace and time left", () => {
  const now = Date.parse("2026-05-04T09:10:00Z");
  const html = serverTable(now, [
    {
      ...base,
      progress: {
        fromMs: Date.parse("2026-04-04T09:00:00Z"),
        toMs: Date.parse("2026-05-04T09:00:00Z"),
        reachedMs: Date.parse("2026-04-19T09:00:00Z"),
        sessions: 1200,
        events: 34000,
        startedMs: base.lastPollStartedAt,
        nowMs: now,
        ratio: 0.5,
        elapsedSeconds: 600,
        sessionsPerSecond: 2,
        eventsPerSecond: 56.7,
        remainingSeconds: 600,
      },
    },
  ]);
  assert.match(html, /<progress max="1" value="0.5">50%<\/progress> 50%/);
  assert.match(html, /up to 2026-04-19 09:00:00Z of 2026-05-04 09:00:00Z/);
  assert.match(
    html,
    /1200 sessions, 34000 events, 2 sessions\/s, 56.7 events\/s, about 10m 00s left/,
  );
});

test("without figures the progress slot stays empty: no invented numbers", () => {
  const html = serverTable(Date.parse("2026-05-04T09:10:00Z"), [{ ...base, progress: null }]);
  assert.match(html, /<span class="progress"><\/span>/);
  assert.doesNotMatch(html, /<progress/);
});
