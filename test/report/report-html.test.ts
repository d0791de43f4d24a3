// The report page from a report whose values come from the other side of the wire: every value
// escaped (text, attributes, the chart's SVG), the sections for a failed watchlist read and for
// records that could not be read, and a long period's chart showing its busiest days in date order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_DAY_BARS } from "../../src/report/day-chart-svg.ts";
import { renderReportHtml } from "../../src/report/report-html.ts";
import type { RestoreReport } from "../../src/report/restore-report.ts";

const HOSTILE = `<script>alert("x")</script>&'`;
const DAY = 86_400_000;

function report(days: number): RestoreReport {
  const start = Date.UTC(2026, 0, 1);
  // Day i has (i * 7) % 23 + 1 sessions: uneven, so the busiest are not the first ones.
  const byDay = Array.from({ length: days }, (_, i) => ({
    value: new Date(start + i * DAY).toISOString().slice(0, 10),
    sessions: ((i * 7) % 23) + 1,
  }));
  const sessions = byDay.reduce((sum, d) => sum + d.sessions, 0);
  return {
    server: HOSTILE,
    organization: `Org ${HOSTILE}`,
    from: new Date(start).toISOString(),
    to: new Date(start + days * DAY).toISOString(),
    totals: {
      sessions,
      failedSessions: 0,
      runningSessions: 0,
      events: 3,
      items: 0,
      itemBytes: 0,
      failedEvents: 0,
      watchedEvents: 1,
      unreadableRecords: 1,
    },
    byType: [{ value: "exchange", sessions }],
    byResult: [{ value: "Success", sessions }],
    byClientHost: [{ value: HOSTILE, sessions }],
    initiators: [{ value: `Org ${HOSTILE}`, sessions }],
    itemsByAction: [{ action: `Export${HOSTILE}`, items: 2, bytes: 10 }],
    busiestDays: [...byDay].sort((a, b) => b.sessions - a.sessions).slice(0, 10),
    byDay,
    items: [],
    failures: [],
    watched: [
      {
        sessionId: "s-1",
        time: "2026-01-02T10:00:00Z",
        subject: `ceo${HOSTILE}`,
        eventType: "View",
        item: HOSTILE,
        initiatedBy: `CONTOSO\\${HOSTILE}`,
        clientHost: HOSTILE,
      },
    ],
    watchedBySubject: [{ subject: `ceo${HOSTILE}`, events: 1 }],
    unreadable: [
      {
        kind: "event",
        sessionId: "s-2",
        recordId: HOSTILE,
        reason: "missing_field",
        field: "startTime",
        message: `event ${HOSTILE} has no startTime`,
      },
    ],
    watchlistSubjects: 0,
    watchlistError: `HTTP 403 ${HOSTILE}`,
    sessions: [],
  };
}

test("report page: every value escaped, watchlist error and unreadable records shown", () => {
  const short = report(5);
  const page = renderReportHtml(short);
  assert.doesNotMatch(page, /<script|<link|src=|href=/i, "nothing runs or loads");
  assert.ok(!page.includes(HOSTILE), "never the raw text");
  assert.ok(page.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"));
  assert.match(
    page,
    /VBO's audit items could not be read \(HTTP 403 &lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;&amp;&#39;\): only the configuration's entries/,
  );
  assert.match(page, /Nothing is watched on this server that could be read/);
  assert.match(page, /<th>Records that could not be read<\/th><td class="num">1<\/td>/);
  assert.match(
    page,
    /<h2>Records that could not be read<\/h2>[\s\S]*<td[^>]*>event<\/td><td[^>]*>s-2<\/td><td[^>]*>&lt;script&gt;[^<]*<\/td><td[^>]*>missing_field<\/td><td[^>]*>startTime<\/td>/,
  );
  assert.ok(
    page.includes(
      `Here ${short.totals.sessions} sessions name the organization Org &lt;script&gt;`,
    ),
    "how often the organization itself is the initiator",
  );
  const svg = /<svg class="chart"[\s\S]*?<\/svg>/.exec(page)?.[0] ?? "";
  assert.equal(svg.match(/<rect /g)?.length, 5);
  assert.match(svg, /aria-label="Sessions per day \(UTC\), every day with sessions"/);
});

test("report page: a long period's chart shows its busiest days, in date order", () => {
  const long = report(90);
  const page = renderReportHtml(long);
  const svg = /<svg class="chart"[\s\S]*?<\/svg>/.exec(page)?.[0] ?? "";
  const shown = [...svg.matchAll(/<title>(\d{4}-\d{2}-\d{2}): (\d+) sessions<\/title>/g)].map(
    (m) => ({ value: m[1] ?? "", sessions: Number(m[2]) }),
  );
  assert.equal(shown.length, MAX_DAY_BARS);
  const days = shown.map((d) => d.value);
  assert.deepEqual(days, [...days].sort(), "in date order");
  const least = Math.min(...shown.map((d) => d.sessions));
  const left = long.byDay.filter((d) => !days.includes(d.value));
  assert.ok(
    left.every((d) => d.sessions <= least),
    "no day left out is busier than one shown",
  );
  assert.match(page, new RegExp(`the ${MAX_DAY_BARS} busiest of 90 days with sessions`));
});
