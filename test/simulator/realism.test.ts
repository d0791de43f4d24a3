// The simulator sends what real VBO servers are reported to send: VBO's session names, .NET
// fractions and time spans, lifecycle texts, v6's absent keys and lower-case links, opened items,
// item classes beyond IPM.Note and warning messages; read over HTTP as a client would.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { get, login } from "../helpers/sim-http.ts";

const T0 = Date.parse("2026-03-16T18:00:00Z");

interface Json {
  [key: string]: unknown;
}

async function world(version: "v6" | "v8") {
  let now = T0;
  const sim = await startSimulator({
    apiVersion: version,
    historySessions: 400,
    ratePerMinute: 10,
    sessionDurationSeconds: 300,
    tokenThrottle: false,
    clock: () => now,
  });
  now += 120_000;
  const token = await login(sim);
  const sessions = (
    (await get(sim, token, `/${version}/RestoreSessions?limit=1000`)).json() as { results: Json[] }
  ).results;
  const events: Json[] = [];
  for (const s of sessions) {
    const page = (
      await get(sim, token, `/${version}/RestoreSessions/${s.id}/Events?limit=1000`)
    ).json() as { results: Json[] };
    events.push(...page.results);
  }
  return { sim, sessions, events };
}

test("sessions carry VBO's names and .NET-style fractions", async (t) => {
  const { sim, sessions } = await world("v8");
  t.after(() => sim.close());
  const names = sessions.map((s) => String(s.name));
  const when = String.raw`\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2} (AM|PM)`;
  const shapes = [
    new RegExp(String.raw`^(Exchange|OneDrive|SharePoint) restore \(Job: [^)]+ - ${when}\)$`),
    new RegExp(String.raw`^\w+ restore \(Entire organization - ${when}\)$`),
    new RegExp(String.raw`^\w+ restore \(All organizations - ${when}\)$`),
    new RegExp(String.raw`^Teams restore \((?!Job: )[^)]+ - ${when}\)$`),
  ];
  for (const name of names)
    assert.ok(
      shapes.some((re) => re.test(name)),
      name,
    );
  for (const re of shapes)
    assert.ok(
      names.some((n) => re.test(n)),
      `some name like ${re}`,
    );
  const times = sessions.map((s) => String(s.creationTime));
  assert.ok(
    times.some((x) => /:\d{2}Z$/.test(x)),
    "a zero fraction has no point",
  );
  assert.ok(
    times.some((x) => /\.\d{1,6}[1-9](Z|[+-]\d{2}:\d{2})$/.test(x) && !/\.\d{7}/.test(x)),
    "trimmed fractions shorter than 7 digits",
  );
  assert.ok(
    times.some((x) => /\.\d{7}(Z|[+-])/.test(x)),
    "seven digits",
  );
});

test("events: lifecycle texts, opened items, item classes and warning messages", async (t) => {
  const { sim, events } = await world("v8");
  t.after(() => sim.close());
  const started = events.filter((e) => e.order === 0);
  assert.ok(started.length > 100);
  for (const e of started) {
    assert.equal(e.title, "Restore session started");
    assert.equal(e.message, "Restore session started");
    assert.equal(e.duration, "00:00:00");
    assert.equal(e.type, "None");
  }
  const opened = events.filter((e) => e.type === "View" && e.status !== "Running");
  assert.ok(opened.length > 20);
  for (const e of opened) {
    assert.equal(e.target, e.source, "an opened item's target is its source");
    assert.ok(Number(e.itemSizeBytes) > 0, "opened items have sizes");
  }
  const types = new Set(events.map((e) => String(e.itemType)));
  for (const type of [
    "IPM.Note",
    "IPM.Note.GroupMailbox.WarmupEmail",
    "REPORT.IPM.Note.NDR",
    "IPM.SkypeTeams.Message",
  ]) {
    assert.ok(types.has(type), `itemType ${type} occurs`);
  }
  assert.ok(
    events.some((e) => /^Item .+ was opened with warning: .+/.test(String(e.message))),
    "was opened with warning: <reason>",
  );
});

test("v6 leaves unset fields out and prints nested links in lower case", async (t) => {
  const { sim, sessions, events } = await world("v6");
  t.after(() => sim.close());
  const working = sessions.filter((s) => s.state === "Working");
  assert.ok(working.length > 0);
  for (const s of working) assert.ok(!("endTime" in s), "no endTime key while running");
  assert.ok(
    events.some((e) => e.status === "Running" && !("endTime" in e)),
    "a running event has no endTime key",
  );
  assert.ok(
    events.every((e) => !Object.values(e).includes(null)),
    "no nulls on v6",
  );
  for (const e of events) {
    assert.match(
      String((e._links as { self: { href: string } }).self.href),
      /^\/v6\/restoresessions\/[0-9a-f-]+\/events\/[0-9a-f-]+$/,
    );
  }
});
