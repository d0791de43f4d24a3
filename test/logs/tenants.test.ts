// Loki tenants per organization, end to end: the simulator's organizations mapped to two tenants
// plus the default, polled into the outbox and sent to a receiver that tells tenants apart by
// X-Scope-OrgID; one tenant down for a while must not hold up the others, and every record reaches
// its own tenant exactly once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Registry } from "prom-client";
import { systemClock } from "../../src/clock.ts";
import { silentLogger } from "../../src/logger.ts";
import { createLogPipeline, type LogPipeline } from "../../src/logs/pipeline.ts";
import type { BatchSink } from "../../src/pipeline/types.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { startCore } from "../helpers/exporter-core.ts";
import {
  type ReceivedRecord,
  startOtlpReceiver,
  stringAttribute,
} from "../helpers/otlp-receiver.ts";
import { startHarness, TEST_START_MS, until } from "./fixtures/harness.ts";
import { eventSeries, poll } from "./fixtures/poll-data.ts";

function keyOf(record: ReceivedRecord): string {
  const session = stringAttribute(record, "vbo.session.id") ?? "?";
  return record.eventName === "vbo.restore.session"
    ? `session:${session}`
    : `event:${session}:${stringAttribute(record, "vbo.event.id") ?? "?"}`;
}

test("each organization's records reach its own tenant exactly once, through one tenant's outage", async () => {
  const sim = await startSimulator({
    apiVersion: "v8",
    organizations: 4,
    historySessions: 40,
    historyDays: 3,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  const receiver = await startOtlpReceiver();
  const orgs = sim.world.organizations();
  const [a, b, c, d] = orgs;
  assert.ok(a && b && c && d);
  // Ground truth, from the simulator: which tenant each session's records belong to.
  const tenantOfOrg = new Map([
    [a.name, "alpha"],
    [b.name, "beta"],
    [c.name, "beta"],
    [d.name, "provider"],
  ]);
  const expected = new Map<string, Set<string>>([
    ["alpha", new Set()],
    ["beta", new Set()],
    ["provider", new Set()],
  ]);
  const now = Date.now();
  for (const session of sim.world.sessionsAt(now)) {
    const tenant = tenantOfOrg.get(String(session.organization));
    assert.ok(tenant, `session ${session.id} belongs to a known organization`);
    const keys = expected.get(tenant) as Set<string>;
    for (const event of sim.world.eventsAt(session.id, now))
      keys.add(`event:${session.id}:${event.id}`);
    if (session.state === "Stopped") keys.add(`session:${session.id}`);
  }
  for (const [tenant, keys] of expected) assert.ok(keys.size > 0, `tenant ${tenant} has records`);

  let betaDown = true;
  let betaRefused = 0;
  /** Records of every request the receiver accepted, by the X-Scope-OrgID it came with. */
  const accepted = new Map<string, string[]>();
  receiver.respond((request) => {
    const tenant = String(request.headers["x-scope-orgid"] ?? "");
    if (tenant === "beta" && betaDown) {
      betaRefused += 1;
      return { status: 503, body: "ingester unavailable" };
    }
    accepted.set(tenant, [...(accepted.get(tenant) ?? []), ...request.records.map(keyOf)]);
    return null;
  });
  const count = (tenant: string) => accepted.get(tenant)?.length ?? 0;
  const want = (tenant: string) => expected.get(tenant)?.size ?? 0;

  let pipeline: LogPipeline | null = null;
  const sink: BatchSink = {
    writeInTransaction: (tx, batch) => pipeline?.sink.writeInTransaction(tx, batch),
  };
  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    sinks: [sink],
  });
  try {
    pipeline = createLogPipeline({
      store: core.store,
      options: {
        endpoint: receiver.url,
        protocol: "http/protobuf",
        // A configured X-Scope-OrgID is replaced by each record's tenant.
        headers: { "X-Scope-OrgID": "everyone" },
        batchMaxRecords: 25,
        retryInitialMs: 20,
        retryMaxMs: 100,
        idleCheckMs: 50,
        tenants: {
          defaultTenant: "provider",
          perOrganization: false,
          organizations: { [a.name]: "alpha", [b.name.toUpperCase()]: "beta", [c.name]: "beta" },
        },
      },
      registry: new Registry(),
      logger: silentLogger(),
      clock: systemClock,
      serviceVersion: "test",
      instanceId: "test/0",
    });
    pipeline.start();
    await core.poller().pollOnce();

    // Beta is down: alpha and the default tenant receive everything meanwhile.
    await until(
      () => count("alpha") >= want("alpha") && count("provider") >= want("provider"),
      15_000,
      "alpha and provider delivered while beta is down",
    );
    await until(() => betaRefused >= 3, 15_000, "beta retried with its own backoff");
    assert.equal(count("beta"), 0);
    assert.ok(
      core.store.outbox.pendingRecords() >= want("beta"),
      "beta's records wait in the outbox",
    );

    betaDown = false;
    await until(
      () => count("beta") >= want("beta") && core.store.outbox.pendingRecords() === 0,
      15_000,
      "beta delivered after its outage",
    );
    for (const [tenant, keys] of expected) {
      const got = accepted.get(tenant) ?? [];
      assert.equal(new Set(got).size, got.length, `no record twice in ${tenant}`);
      assert.deepEqual(new Set(got), keys, `${tenant} holds exactly its organizations' records`);
    }
    assert.deepEqual(
      [...accepted.keys()].sort(),
      ["alpha", "beta", "provider"],
      "no request went with the configured X-Scope-OrgID",
    );
  } finally {
    await pipeline?.stop();
    await core.close();
    await receiver.close();
    await sim.close();
  }
});

test("a dead letter keeps its tenant and replays to it, whatever the mapping says by then", async () => {
  const receiver = await startOtlpReceiver();
  receiver.respond((request) =>
    request.records.some((r) => stringAttribute(r, "vbo.event.id")?.endsWith("e00003"))
      ? { status: 400, body: "invalid entry" }
      : null,
  );
  const tenants = {
    defaultTenant: "provider",
    perOrganization: false,
    organizations: { "contoso.onmicrosoft.com": "contoso" },
  };
  let harness = await startHarness({ endpoint: receiver.url, tenants });
  try {
    harness.commit(poll({ newEvents: eventSeries(6, TEST_START_MS - 60_000) }));
    assert.equal(await harness.pipeline.drainOnce(), 5);
    const letters = harness.store.outbox.listDeadLetters(10);
    assert.deepEqual(
      letters.map((l) => [l.destination, l.recordKey]),
      [["contoso", "event:s-1:s-1-e00003"]],
    );
    const dir = harness.dir;
    await harness.close({ keepDir: true });
    // The organization is no longer mapped: the dead letter still belongs to contoso.
    receiver.respond(null);
    harness = await startHarness(
      { endpoint: receiver.url, tenants: { ...tenants, organizations: {} } },
      TEST_START_MS,
      undefined,
      dir,
    );
    assert.equal(harness.pipeline.replayDeadLetters(), 1);
    assert.equal(await harness.pipeline.drainOnce(), 1);
    const last = receiver.requests.at(-1);
    assert.equal(last?.headers["x-scope-orgid"], "contoso");
    assert.equal(stringAttribute(last?.records[0] as ReceivedRecord, "vbo.event.id"), "s-1-e00003");
    assert.ok(
      receiver.requests.every((r) => r.headers["x-scope-orgid"] === "contoso"),
      "every request went to contoso",
    );
  } finally {
    await harness.close();
    await receiver.close();
  }
});
