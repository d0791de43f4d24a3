// The vbo_log_* series per Loki tenant, read from the registry's text exposition and held against
// what a real OTLP receiver on loopback decoded per X-Scope-OrgID: one tenant's outage shows under
// its own tenant label only, the counts match the receiver's once it drains, and without tenants
// the series are the ones the exporter always exposed.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { SessionEvent } from "../../src/pipeline/types.ts";
import {
  type ReceivedRecord,
  startOtlpReceiver,
  stringAttribute,
} from "../helpers/otlp-receiver.ts";
import { type Harness, startHarness, TEST_START_MS, until } from "./fixtures/harness.ts";
import { eventSeries, poll } from "./fixtures/poll-data.ts";

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of a Prometheus text exposition (independent of prom-client's own reading). */
function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1] as string] = pair[2] as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

async function scrape(harness: Harness): Promise<Sample[]> {
  return parseSamples(await harness.registry.metrics()).filter((s) =>
    s.name.startsWith("vbo_log_"),
  );
}

/** The value of the one series with exactly these labels; fails when there is none. */
function value(samples: readonly Sample[], name: string, labels: Record<string, string>): number {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const found = samples.filter(
    (s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted,
  );
  assert.equal(found.length, 1, `one series ${name} ${wanted}`);
  return (found[0] as Sample).value;
}

/** Sum of a metric's series of one tenant, over its other labels (reasons). */
function tenantSum(samples: readonly Sample[], name: string, tenant: string): number {
  return samples
    .filter((s) => s.name === name && s.labels.tenant === tenant)
    .reduce((sum, s) => sum + s.value, 0);
}

/** `count` events of a session of `organization`, one second apart. */
function eventsOf(organization: string, sessionId: string, count: number): SessionEvent[] {
  return eventSeries(count, TEST_START_MS - 120_000, sessionId).map((e) => ({
    ...e,
    session: { ...e.session, organization },
  }));
}

const eventKey = (record: ReceivedRecord): string =>
  `${stringAttribute(record, "vbo.session.id")}:${stringAttribute(record, "vbo.event.id")}`;

// The vbo_log_* series that are not about one destination.
const WHOLE_EXPORTER = new Set(["vbo_log_outbox_limit_records", "vbo_log_outbox_full_total"]);

test("one tenant's outage is counted under its tenant label, the others' match what the receiver decoded", async () => {
  const receiver = await startOtlpReceiver();
  let betaDown = true;
  let betaRefused = 0;
  /** Event keys the receiver accepted, by the X-Scope-OrgID they came with. */
  const accepted = new Map<string, string[]>();
  receiver.respond((request) => {
    const tenant = String(request.headers["x-scope-orgid"] ?? "");
    if (tenant === "beta" && betaDown) {
      betaRefused += 1;
      return { status: 503, body: "ingester unavailable" };
    }
    accepted.set(tenant, [...(accepted.get(tenant) ?? []), ...request.records.map(eventKey)]);
    return null;
  });
  const got = (tenant: string) => accepted.get(tenant)?.length ?? 0;
  const sent = { alpha: 12, beta: 9, provider: 7 };
  const harness = await startHarness({
    endpoint: receiver.url,
    batchMaxRecords: 4,
    tenants: {
      defaultTenant: "provider",
      perOrganization: false,
      organizations: { "Alpha Corp": "alpha", "Beta Corp": "beta" },
    },
  });
  try {
    // Before any record: every configured tenant is exported at 0, and every per-destination
    // series has a tenant.
    const start = await scrape(harness);
    for (const tenant of ["alpha", "beta", "provider"]) {
      for (const name of [
        "vbo_log_outbox_records",
        "vbo_log_outbox_oldest_record_age_seconds",
        "vbo_log_dead_letter_records",
        "vbo_log_records_exported_total",
        "vbo_log_last_export_timestamp_seconds",
      ])
        assert.equal(value(start, name, { tenant }), 0, `${name} of ${tenant} at 0`);
      assert.equal(
        value(start, "vbo_log_export_failures_total", { reason: "unavailable", tenant }),
        0,
      );
      assert.equal(
        value(start, "vbo_log_records_dead_lettered_total", { reason: "too_old", tenant }),
        0,
      );
    }
    for (const s of start.filter((s) => !WHOLE_EXPORTER.has(s.name)))
      assert.ok(
        ["alpha", "beta", "provider"].includes(s.labels.tenant ?? ""),
        `${s.name} has a tenant`,
      );

    harness.commit(
      poll({
        newEvents: [
          ...eventsOf("Alpha Corp", "s-alpha", sent.alpha),
          ...eventsOf("Beta Corp", "s-beta", sent.beta),
          ...eventsOf("Gamma Corp", "s-gamma", sent.provider),
        ],
      }),
    );
    harness.pipeline.start();
    await until(
      () => got("alpha") === sent.alpha && got("provider") === sent.provider && betaRefused >= 2,
      15_000,
      "alpha and provider delivered, beta refused",
    );
    const first = await scrape(harness);
    const refusedAtFirst = betaRefused;
    await until(() => betaRefused >= refusedAtFirst + 2, 15_000, "beta retried again");
    const second = await scrape(harness);

    const age = (samples: Sample[], tenant: string) =>
      value(samples, "vbo_log_outbox_oldest_record_age_seconds", { tenant });
    for (const samples of [first, second])
      assert.equal(value(samples, "vbo_log_outbox_records", { tenant: "beta" }), sent.beta);
    assert.ok(age(first, "beta") > 0, "beta's records wait");
    assert.ok(age(second, "beta") > age(first, "beta"), "beta's oldest record ages");
    assert.ok(
      value(second, "vbo_log_export_failures_total", { reason: "unavailable", tenant: "beta" }) >=
        refusedAtFirst + 1,
      "beta's failures are counted under beta",
    );
    assert.equal(value(second, "vbo_log_records_exported_total", { tenant: "beta" }), 0);
    for (const tenant of ["alpha", "provider"] as const) {
      assert.equal(value(second, "vbo_log_outbox_records", { tenant }), 0, `${tenant} drained`);
      assert.equal(age(second, tenant), 0, `${tenant} has nothing waiting`);
      assert.equal(
        tenantSum(second, "vbo_log_export_failures_total", tenant),
        0,
        `${tenant} never failed`,
      );
      assert.equal(value(second, "vbo_log_records_exported_total", { tenant }), got(tenant));
      assert.ok(value(second, "vbo_log_last_export_timestamp_seconds", { tenant }) > 0);
    }
    assert.equal(value(second, "vbo_log_last_export_timestamp_seconds", { tenant: "beta" }), 0);

    betaDown = false;
    await until(
      () => got("beta") === sent.beta && harness.outboxCount() === 0,
      15_000,
      "beta delivered after its outage",
    );
    await harness.pipeline.stop();
    const end = await scrape(harness);
    for (const tenant of ["alpha", "beta", "provider"] as const) {
      const keys = accepted.get(tenant) ?? [];
      assert.equal(new Set(keys).size, keys.length, `no record twice in ${tenant}`);
      assert.equal(keys.length, sent[tenant], `${tenant} received its records`);
      assert.equal(value(end, "vbo_log_records_exported_total", { tenant }), keys.length);
      assert.equal(value(end, "vbo_log_outbox_records", { tenant }), 0);
      assert.equal(value(end, "vbo_log_outbox_oldest_record_age_seconds", { tenant }), 0);
      assert.equal(value(end, "vbo_log_dead_letter_records", { tenant }), 0);
    }
    assert.equal(
      value(end, "vbo_log_export_failures_total", { reason: "unavailable", tenant: "beta" }),
      betaRefused,
      "every refused request counted once, under beta",
    );
    assert.equal(tenantSum(end, "vbo_log_export_failures_total", "beta"), betaRefused);
  } finally {
    await harness.close();
    await receiver.close();
  }
});

test("a tenant derived per organization is exported once seen and stays; beyond the limit it counts as (other)", async () => {
  const receiver = await startOtlpReceiver();
  const harness = await startHarness(
    {
      endpoint: receiver.url,
      tenants: { defaultTenant: "provider", perOrganization: true, organizations: {} },
    },
    TEST_START_MS,
    undefined,
    undefined,
    { tenantLabelLimit: 1 },
  );
  try {
    const tenantsOf = (samples: Sample[]) =>
      new Set(
        samples.filter((s) => s.name === "vbo_log_outbox_records").map((s) => s.labels.tenant),
      );
    assert.deepEqual(tenantsOf(await scrape(harness)), new Set(["provider"]));

    harness.commit(poll({ newEvents: eventsOf("Beta Corp", "s-beta", 3) }));
    assert.equal(await harness.pipeline.drainOnce(), 3);
    const beta = String(receiver.requests.at(-1)?.headers["x-scope-orgid"]);
    assert.notEqual(beta, "provider", "Beta Corp has a tenant of its own");
    let samples = await scrape(harness);
    assert.deepEqual(
      tenantsOf(samples),
      new Set(["provider", beta]),
      "seen, and still there drained",
    );
    assert.equal(value(samples, "vbo_log_records_exported_total", { tenant: beta }), 3);
    assert.equal(value(samples, "vbo_log_outbox_records", { tenant: beta }), 0);

    // The second derived tenant is past the limit of 1: its series are tenant="(other)", while its
    // records still go to its own Loki tenant.
    harness.commit(poll({ newEvents: eventsOf("Gamma Corp", "s-gamma", 2) }));
    samples = await scrape(harness);
    assert.equal(value(samples, "vbo_log_outbox_records", { tenant: "(other)" }), 2);
    assert.equal(await harness.pipeline.drainOnce(), 2);
    const gamma = String(receiver.requests.at(-1)?.headers["x-scope-orgid"]);
    assert.ok(gamma !== beta && gamma !== "provider" && gamma !== "(other)");
    samples = await scrape(harness);
    assert.deepEqual(tenantsOf(samples), new Set(["provider", beta, "(other)"]));
    assert.equal(value(samples, "vbo_log_records_exported_total", { tenant: "(other)" }), 2);
    assert.equal(value(samples, "vbo_log_records_exported_total", { tenant: beta }), 3);
  } finally {
    await harness.close();
    await receiver.close();
  }
});

// What the exporter's main branch exposed before the tenant label existed: series names and label
// sets of the log pipeline, pinned so that a configuration without tenants keeps exactly these.
const SERIES_WITHOUT_TENANTS = `
vbo_log_outbox_records
vbo_log_outbox_oldest_record_age_seconds
vbo_log_outbox_limit_records
vbo_log_dead_letter_records
vbo_log_records_exported_total
vbo_log_export_failures_total{reason="unreachable"}
vbo_log_export_failures_total{reason="timeout"}
vbo_log_export_failures_total{reason="tls"}
vbo_log_export_failures_total{reason="rate_limited"}
vbo_log_export_failures_total{reason="unavailable"}
vbo_log_export_failures_total{reason="server_error"}
vbo_log_export_failures_total{reason="unauthorized"}
vbo_log_export_failures_total{reason="forbidden"}
vbo_log_export_failures_total{reason="not_found"}
vbo_log_export_failures_total{reason="unsupported_media_type"}
vbo_log_export_failures_total{reason="receiver_config"}
vbo_log_export_failures_total{reason="redirect"}
vbo_log_export_failures_total{reason="unexpected_status"}
vbo_log_export_failures_total{reason="partial_success"}
vbo_log_export_failures_total{reason="too_old"}
vbo_log_export_failures_total{reason="out_of_order"}
vbo_log_export_failures_total{reason="too_new"}
vbo_log_export_failures_total{reason="too_large"}
vbo_log_export_failures_total{reason="structured_metadata"}
vbo_log_export_failures_total{reason="bad_request"}
vbo_log_records_dead_lettered_total{reason="too_old"}
vbo_log_records_dead_lettered_total{reason="out_of_order"}
vbo_log_records_dead_lettered_total{reason="too_new"}
vbo_log_records_dead_lettered_total{reason="too_large"}
vbo_log_records_dead_lettered_total{reason="structured_metadata"}
vbo_log_records_dead_lettered_total{reason="bad_request"}
vbo_log_records_rejected_total{reason="partial_success"}
vbo_log_last_export_timestamp_seconds
vbo_log_outbox_full_total
`;

test("without tenants the log pipeline exposes the same series and label sets as before", async () => {
  const receiver = await startOtlpReceiver();
  let refuse = true;
  receiver.respond(() => (refuse ? { status: 503, body: "busy" } : null));
  const harness = await startHarness({ endpoint: receiver.url });
  try {
    const before = parseSamples(
      SERIES_WITHOUT_TENANTS.trim()
        .split("\n")
        .map((l) => `${l} 0`)
        .join("\n"),
    );
    const seriesOf = (samples: readonly Sample[]) =>
      samples.map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`).sort();
    assert.deepEqual(seriesOf(await scrape(harness)), seriesOf(before), "at start");
    harness.commit(poll({ newEvents: eventsOf("Alpha Corp", "s-alpha", 5) }));
    assert.equal(await harness.pipeline.drainOnce(), 0);
    refuse = false;
    assert.equal(await harness.pipeline.drainOnce(), 5);
    const after = await scrape(harness);
    assert.deepEqual(seriesOf(after), seriesOf(before), "after a failure and a delivery");
    assert.equal(value(after, "vbo_log_records_exported_total", {}), receiver.stored.length);
    assert.equal(value(after, "vbo_log_export_failures_total", { reason: "unavailable" }), 1);
  } finally {
    await harness.close();
    await receiver.close();
  }
});
