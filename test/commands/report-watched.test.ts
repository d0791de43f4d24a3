// `report` and the audit watchlist: with one user of an organization audited in VBO (`audit items
// add`), the report's watched accesses are exactly the events of that organization's sessions in
// the period that touch the user — worked out here from the simulator's own JSON with the README's
// rules (mailbox at the start of an Exchange source, OneDrive owner, v8 userId) — and the HTML page
// shows them; sessions outside the period or of another organization do not count.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { runCli } from "../helpers/report-cli.ts";
import { get, login } from "../helpers/sim-http.ts";

interface Access {
  sessionId: string;
  time: string;
  subject: string;
  eventType: string;
  item: string | null;
  initiatedBy: string | null;
  clientHost: string;
}

const key = (a: Access) => `${a.sessionId} ${a.time} ${a.eventType} ${a.item}`;
const sorted = (list: readonly Access[]) => [...list].sort((a, b) => (key(a) < key(b) ? -1 : 1));

test("report: watched accesses equal the events that touch the audited user", {
  timeout: 60_000,
}, async (t) => {
  const sim = await startSimulator({
    apiVersion: "v8",
    organizations: 3,
    historySessions: 120,
    historyDays: 6,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  const dir = mkdtempSync(join(tmpdir(), "vbo-report-watched-"));
  t.after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const [other, org] = sim.world.organizations();
  assert.ok(org && other);

  const added = await runCli(sim, "audit", [
    "items",
    "add",
    "--organization",
    org.name,
    "Eileen O'Connor",
  ]);
  assert.equal(added.code, 0, added.stderr);
  // The audited user as the simulator serves it: id, UPN and display name.
  const token = await login(sim);
  const items = (await get(sim, token, `/v8/Organizations/${org.id}/AuditItems`)).json() as {
    type: string;
    user?: { id: string; name: string; displayName: string };
  }[];
  const user = items.find((i) => i.type === "User")?.user;
  assert.ok(user, "VBO audits the user");
  const upn = user.name.toLowerCase();

  const day = 86_400_000;
  const now = Date.now();
  const fromMs = Math.floor((now - 5 * day) / day) * day;
  const toMs = fromMs + 4 * day;
  const add = async (spec: Record<string, unknown>) => {
    const reply = await fetch(`${sim.url}/_simulator/sessions`, {
      method: "POST",
      body: JSON.stringify({ type: "Vex", durationSeconds: 60, ...spec }),
    });
    assert.equal(reply.status, 201, await reply.clone().text());
    return ((await reply.json()) as { id: string }).id;
  };
  // Two restores of her mail (by display name and by login), one of someone else's mail, and
  // two of hers that must not count: before the period, and in another organization.
  const hers = [
    await add({
      organization: org.name,
      mailbox: "Eileen O'Connor",
      eventType: "View",
      eventCount: 3,
      startMs: fromMs + day + 3_600_000,
      clientHost: "HELPDESK07 (via: 203.0.113.10)",
      initiatedBy: "CONTOSO\\mallory",
    }),
    await add({
      organization: org.name,
      mailbox: "eoconnor",
      eventType: "Export",
      eventCount: 2,
      startMs: fromMs + 2 * day + 7_200_000,
      clientHost: "LAPTOP-7Q2K9",
    }),
  ];
  const notHers = await add({
    organization: org.name,
    mailbox: "John Doe",
    eventType: "View",
    eventCount: 4,
    startMs: fromMs + day + 5_400_000,
  });
  const before = await add({
    organization: org.name,
    mailbox: "Eileen O'Connor",
    eventCount: 2,
    startMs: fromMs - 3_600_000,
  });
  const elsewhere = await add({
    organization: other.name,
    mailbox: "Eileen O'Connor",
    eventCount: 2,
    startMs: fromMs + day,
  });

  // The truth, from the simulator's JSON and the README's matching rules.
  const names = new Set([user.displayName.toLowerCase(), upn]);
  const owners = new Set([upn.replace(/[@.]/g, "_"), upn.split("@")[0]]);
  const expected: Access[] = [];
  const at = Date.now();
  for (const s of sim.world.sessionsAt(at)) {
    const start = Date.parse(String(s.creationTime));
    if (s.organization !== org.name || start < fromMs || start >= toMs) continue;
    for (const e of sim.world.eventsAt(String(s.id), at)) {
      const source = String(e.source ?? "");
      const byId = String(e.userId ?? "").toLowerCase() === user.id.toLowerCase();
      const byMailbox =
        s.type === "Vex" &&
        source !== "" &&
        names.has(source.split("\\")[0]?.trim().toLowerCase() ?? "");
      const owner = /\/personal\/([^/]+)/i.exec(source)?.[1]?.toLowerCase();
      const byOwner = s.type === "Veod" && owner !== undefined && owners.has(owner);
      if (!byId && !byMailbox && !byOwner) continue;
      expected.push({
        sessionId: String(s.id),
        time: String(e.startTime),
        subject: user.name,
        eventType: String(e.type),
        item: e.itemName === null || e.itemName === undefined ? null : String(e.itemName),
        initiatedBy:
          s.initiatedBy === null || s.initiatedBy === undefined ? null : String(s.initiatedBy),
        clientHost:
          String(s.clientHost ?? "")
            .replace(/\s*\(via:.*\)$/i, "")
            .trim() || "unknown",
      });
    }
  }
  const inHers = expected.filter((a) => hers.includes(a.sessionId));
  assert.equal(inHers.filter((a) => a.eventType === "View").length, 3, "her viewed mails");
  assert.equal(inHers.filter((a) => a.eventType === "Export").length, 2, "her exported mails");
  t.diagnostic(
    `${expected.length} watched events, ${expected.length - inHers.length} of the history`,
  );
  for (const id of [notHers, before, elsewhere])
    assert.ok(!expected.some((a) => a.sessionId === id), `session ${id} does not count`);

  const args = [
    "--organization",
    org.name,
    "--from",
    new Date(fromMs).toISOString(),
    "--to",
    new Date(toMs).toISOString(),
  ];
  const json = await runCli(sim, "report", args);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as {
    totals: { watchedEvents: number };
    watched: Access[];
    watchedBySubject: { subject: string; events: number }[];
    watchlistSubjects: number;
    watchlistError: string | null;
  };
  assert.equal(report.totals.watchedEvents, expected.length);
  assert.deepEqual(sorted(report.watched), sorted(expected));
  assert.deepEqual(report.watchedBySubject, [{ subject: user.name, events: expected.length }]);
  assert.equal(report.watchlistSubjects, 1);
  assert.equal(report.watchlistError, null);

  const out = join(dir, "report.html");
  const html = await runCli(sim, "report", [...args, "--format", "html", "--out", out]);
  assert.equal(html.code, 0, html.stderr);
  const page = readFileSync(out, "utf8");
  assert.match(page, new RegExp(`<th>Watched events</th><td class="num">${expected.length}</td>`));
  assert.match(
    page,
    new RegExp(
      `<h2>Watched data accessed</h2>\\s*<p>${expected.length} events touched a watched subject`,
    ),
  );
  assert.doesNotMatch(page, /Nothing is watched on this server/);
  assert.match(
    page,
    new RegExp(
      // The session by the first 8 characters of its id (the appendix has it whole).
      `<tr><td[^>]*>[^<]+</td><td[^>]*>${user.name}</td><td[^>]*>CONTOSO\\\\mallory</td><td[^>]*>HELPDESK07</td><td[^>]*>View</td><td[^>]*>[^<]*</td><td[^>]*>${String(hers[0]).slice(0, 8)}</td></tr>`,
    ),
    "who, from which host, what, which session",
  );
});
