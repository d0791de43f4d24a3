// Delivery under failure: receiver down then back, 429 with Retry-After, configuration errors,
// 400 bisection into dead letters, Loki's 204 and OTLP partial success, too-old records.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, test } from "node:test";
import { createLogger } from "../../src/logger.ts";
import {
  encodePartialSuccess,
  type OtlpReceiver,
  type ReceivedRecord,
  startOtlpReceiver,
  stringAttribute,
} from "../helpers/otlp-receiver.ts";
import { type Harness, startHarness, TEST_START_MS, until } from "./fixtures/harness.ts";
import { eventSeries, poll } from "./fixtures/poll-data.ts";

function eventIds(records: readonly ReceivedRecord[]): string[] {
  return records.map((r) => stringAttribute(r, "vbo.event.id") ?? "?");
}

function assertAscending(records: readonly ReceivedRecord[]): void {
  for (let k = 1; k < records.length; k += 1) {
    const previous = records[k - 1];
    const current = records[k];
    assert.ok(previous && current);
    assert.ok(
      previous.timeUnixNano <= current.timeUnixNano,
      `record ${k} (${current.timeUnixNano}) arrived after a newer one (${previous.timeUnixNano})`,
    );
  }
}

function deadLetters(
  harness: Harness,
): { reason: string; record_key: string; status: number | null }[] {
  return harness.store.outbox
    .listDeadLetters(1000)
    .map((d) => ({ reason: d.reason, record_key: d.recordKey, status: d.status }));
}

const HOUR = 3_600_000;

describe("log delivery", () => {
  let receiver: OtlpReceiver;
  let harness: Harness | null = null;

  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await harness?.close();
    harness = null;
    await receiver.close();
  });

  test("receiver down for a while then back: every record arrives once, in order", async () => {
    harness = await startHarness({ endpoint: receiver.url, batchMaxRecords: 7 });
    const h = harness;
    await receiver.down();
    // A backlog from before and during the outage, committed in several transactions.
    const series = eventSeries(60, TEST_START_MS - HOUR / 2);
    h.commit(poll({ newEvents: series.slice(0, 20) }));
    h.pipeline.start();
    await until(() => h.clock.sleeps.filter((ms) => ms > 200).length >= 4, 8000, "retries");
    h.commit(poll({ newEvents: series.slice(20, 40) }));
    h.commit(poll({ newEvents: series.slice(40) }));
    assert.equal(await h.metric("vbo_log_outbox_records"), 60);
    assert.ok(((await h.metric("vbo_log_outbox_oldest_record_age_seconds")) ?? 0) > 0);
    assert.ok(
      ((await h.metric("vbo_log_export_failures_total", { reason: "unreachable" })) ?? 0) >= 4,
    );
    assert.equal(receiver.stored.length, 0);

    // Exponential backoff with (fixed, test) jitter: 0.75 × 1 s, 2 s, 4 s, ...
    const retries = h.clock.sleeps.filter((ms) => ms > 200);
    assert.deepEqual(retries.slice(0, 4), [750, 1500, 3000, 6000]);

    await receiver.up();
    // The receiver stores a batch before the sender has read the answer: wait for both sides.
    await until(
      () => receiver.stored.length >= 60 && h.outboxCount() === 0,
      8000,
      "all records after the outage, acknowledged",
    );
    const ids = eventIds(receiver.stored);
    assert.equal(new Set(ids).size, 60, "no record lost");
    assert.equal(ids.length, 60, "no record duplicated");
    assertAscending(receiver.stored);
    assert.ok(
      receiver.requests.every((r) => r.records.length <= 7),
      "batches are bounded",
    );
    assert.equal(await h.metric("vbo_log_outbox_records"), 0);
    assert.equal(await h.metric("vbo_log_outbox_oldest_record_age_seconds"), 0);
    assert.equal(await h.metric("vbo_log_records_exported_total"), 60);
    assert.ok(((await h.metric("vbo_log_last_export_timestamp_seconds")) ?? 0) > 0);
  });

  test("ten minutes of live traffic with the receiver stopped: backlog rises, drains, exactly once", async () => {
    harness = await startHarness({ endpoint: receiver.url, batchMaxRecords: 8 });
    const h = harness;
    h.pipeline.start();
    let pollNumber = 0;
    const livePoll = () => {
      pollNumber += 1;
      h.clock.advance(60_000);
      h.commit(poll({ newEvents: eventSeries(5, h.clock.now() - 30_000, `p${pollNumber}`) }));
    };
    livePoll();
    await until(() => receiver.stored.length === 5, 5000, "live delivery");

    await receiver.down();
    const backlog: number[] = [];
    for (let minute = 0; minute < 10; minute += 1) {
      livePoll();
      await new Promise((resolve) => setTimeout(resolve, 15));
      backlog.push((await h.metric("vbo_log_outbox_records")) ?? -1);
    }
    assert.deepEqual(backlog, [5, 10, 15, 20, 25, 30, 35, 40, 45, 50], "the backlog rises");
    assert.ok(((await h.metric("vbo_log_outbox_oldest_record_age_seconds")) ?? 0) >= 540);
    assert.equal(receiver.stored.length, 5);

    await receiver.up();
    // Live traffic continues while the backlog drains; fresh records must not overtake it.
    livePoll();
    livePoll();
    await until(
      () => receiver.stored.length >= 65 && h.outboxCount() === 0,
      8000,
      "the backlog and the new polls, acknowledged",
    );
    const ids = eventIds(receiver.stored);
    assert.equal(ids.length, 65, "nothing duplicated");
    assert.equal(new Set(ids).size, 65, "nothing lost");
    assertAscending(receiver.stored);
    assert.equal(await h.metric("vbo_log_outbox_records"), 0, "the backlog drained");
  });

  test("429 with Retry-After is honoured on the injected clock", async () => {
    let refusals = 2;
    receiver.respond(() => {
      if (refusals === 0) return null;
      refusals -= 1;
      return { status: 429, headers: { "retry-after": "7" }, body: "slow down" };
    });
    harness = await startHarness({ endpoint: receiver.url });
    const h = harness;
    h.commit(poll({ newEvents: eventSeries(5, TEST_START_MS - 60_000) }));
    const startedAt = h.clock.now();
    h.pipeline.start();
    await until(() => receiver.stored.length === 5, 8000, "delivery after 429s");
    assert.deepEqual(
      h.clock.sleeps.filter((ms) => ms > 200),
      [7000, 7000],
    );
    assert.ok(h.clock.now() - startedAt >= 14_000, "14 s of virtual time passed");
    assert.equal(receiver.requests.length, 3);
    assert.equal(await h.metric("vbo_log_export_failures_total", { reason: "rate_limited" }), 2);
    assert.deepEqual(eventIds(receiver.stored), eventIds(receiver.requests[0]?.records ?? []));
  });

  test("a Retry-After of 0, in the past or malformed falls back to the backoff", async () => {
    // Each of these once made the sender retry at once, forever, for as long as the receiver
    // kept answering that way.
    const answers = ["0", "Tue, 01 Feb 2022 16:00:00 GMT", "1.5", "2022-02-02"];
    receiver.respond(() => {
      const retryAfter = answers.shift();
      return retryAfter === undefined
        ? null
        : { status: 503, headers: { "retry-after": retryAfter }, body: "busy" };
    });
    harness = await startHarness({ endpoint: receiver.url });
    const h = harness;
    h.commit(poll({ newEvents: eventSeries(3, TEST_START_MS - 60_000) }));
    h.pipeline.start();
    await until(() => receiver.stored.length === 3, 8000, "delivery after the 503s");
    // Equal jitter at random 0.5 from retryInitialMs 1000: 750, 1500, 3000, 6000.
    assert.deepEqual(
      h.clock.sleeps.filter((ms) => ms > 200),
      [750, 1500, 3000, 6000],
    );
    assert.equal(receiver.requests.length, 5);
  });

  test("a Retry-After shorter than the backoff does not shorten it", async () => {
    let refusals = 4;
    receiver.respond(() => {
      if (refusals === 0) return null;
      refusals -= 1;
      return { status: 429, headers: { "retry-after": "1" }, body: "slow down" };
    });
    harness = await startHarness({ endpoint: receiver.url });
    const h = harness;
    h.commit(poll({ newEvents: eventSeries(2, TEST_START_MS - 60_000) }));
    h.pipeline.start();
    await until(() => receiver.stored.length === 2, 8000, "delivery after the 429s");
    assert.deepEqual(
      h.clock.sleeps.filter((ms) => ms > 200),
      [1000, 1500, 3000, 6000],
    );
  });

  test("401 and 503 are retried, never dead-lettered", async () => {
    const answers = [401, 503];
    receiver.respond(() => {
      const status = answers.shift();
      return status === undefined ? null : { status, body: "no" };
    });
    harness = await startHarness({ endpoint: receiver.url });
    const h = harness;
    h.commit(poll({ newEvents: eventSeries(3, TEST_START_MS - 60_000) }));
    h.pipeline.start();
    await until(() => receiver.stored.length === 3, 8000, "delivery after errors");
    assert.deepEqual(deadLetters(h), []);
    assert.equal(await h.metric("vbo_log_export_failures_total", { reason: "unauthorized" }), 1);
    assert.equal(await h.metric("vbo_log_export_failures_total", { reason: "unavailable" }), 1);
  });

  test("a 400 batch is bisected: the bad record is dead-lettered, the rest arrive", async () => {
    // Loki-style: the good records of a rejected batch are stored, the bad one named in the error.
    receiver.respond((request) => {
      const bad = request.records.filter((r) =>
        stringAttribute(r, "vbo.event.id")?.endsWith("e00006"),
      );
      if (bad.length === 0) return null;
      return {
        status: 400,
        headers: { "content-type": "text/plain" },
        body: "entry for stream '{service_name=\"vbo-restore-exporter\"}' has timestamp too old: 2022-01-01T00:00:00Z",
        store: request.records.filter((r) => !bad.includes(r)),
      };
    });
    harness = await startHarness({ endpoint: receiver.url, batchMaxRecords: 10 });
    const h = harness;
    h.commit(poll({ newEvents: eventSeries(10, TEST_START_MS - 60_000) }));
    assert.equal(await h.pipeline.drainOnce(), 9);

    const ids = eventIds(receiver.stored);
    assert.equal(new Set(ids).size, 9);
    assert.ok(!ids.some((id) => id.endsWith("e00006")));
    // Loki kept part of the rejected batches; the halves were re-sent byte for byte, so every
    // repeated record equals its first copy and Loki's duplicate detection drops it.
    const first = new Map<string, ReceivedRecord>();
    for (const record of receiver.stored) {
      const id = stringAttribute(record, "vbo.event.id") ?? "?";
      const earlier = first.get(id);
      if (earlier) assert.deepEqual(record, earlier);
      else first.set(id, record);
    }
    assert.ok(receiver.requests.length <= 1 + 2 * Math.ceil(Math.log2(10)));
    assert.deepEqual(deadLetters(h), [
      { reason: "too_old", record_key: "event:s-1:s-1-e00006", status: 400 },
    ]);
    assert.equal(await h.metric("vbo_log_records_dead_lettered_total", { reason: "too_old" }), 1);
    assert.equal(await h.metric("vbo_log_dead_letter_records"), 1);
    assert.equal(await h.metric("vbo_log_outbox_records"), 0);

    // Replaying a dead letter puts the identical record back in the outbox.
    receiver.respond(null);
    assert.equal(h.pipeline.replayDeadLetters("too_old"), 1);
    assert.equal(await h.pipeline.drainOnce(), 1);
    const replayed = receiver.stored.at(-1);
    assert.ok(replayed);
    assert.equal(stringAttribute(replayed, "vbo.event.id"), "s-1-e00006");
    assert.equal(await h.metric("vbo_log_dead_letter_records"), 0);
  });

  test("a plain 400 without a known cause dead-letters with reason bad_request", async () => {
    receiver.respond((request) =>
      request.records.some((r) => stringAttribute(r, "vbo.event.id")?.endsWith("e00001"))
        ? { status: 400, body: "invalid request" }
        : null,
    );
    harness = await startHarness({ endpoint: receiver.url });
    harness.commit(poll({ newEvents: eventSeries(4, TEST_START_MS - 60_000) }));
    assert.equal(await harness.pipeline.drainOnce(), 3);
    assert.deepEqual(
      deadLetters(harness).map((d) => d.reason),
      ["bad_request"],
    );
    assert.equal(
      await harness.metric("vbo_log_records_dead_lettered_total", { reason: "bad_request" }),
      1,
    );
  });

  test("Loki's 204 is success", async () => {
    receiver.successStatus = 204;
    harness = await startHarness({ endpoint: receiver.url, protocol: "http/json" });
    harness.commit(poll({ newEvents: eventSeries(3, TEST_START_MS - 60_000) }));
    assert.equal(await harness.pipeline.drainOnce(), 3);
    assert.equal(await harness.metric("vbo_log_outbox_records"), 0);
  });

  test("OTLP partial success is counted and logged; the batch leaves the outbox", async () => {
    receiver.respond((request) => ({
      status: 200,
      headers: { "content-type": "application/x-protobuf" },
      body: encodePartialSuccess(2, "2 records dropped"),
      store: request.records.slice(2),
    }));
    harness = await startHarness({ endpoint: receiver.url });
    harness.commit(poll({ newEvents: eventSeries(5, TEST_START_MS - 60_000) }));
    assert.equal(await harness.pipeline.drainOnce(), 5);
    assert.equal(
      await harness.metric("vbo_log_records_rejected_total", { reason: "partial_success" }),
      2,
    );
    assert.equal(await harness.metric("vbo_log_outbox_records"), 0);
    assert.equal(receiver.requests.length, 1, "partial success is not retried");
  });

  test("records older than maxRecordAge are dead-lettered as too_old without being sent", async () => {
    harness = await startHarness({ endpoint: receiver.url, maxRecordAgeMs: 24 * HOUR });
    harness.commit(
      poll({
        newEvents: [
          ...eventSeries(2, TEST_START_MS - 25 * HOUR, "old"),
          ...eventSeries(2, TEST_START_MS - HOUR, "new"),
        ],
      }),
    );
    assert.equal(await harness.pipeline.drainOnce(), 2);
    assert.deepEqual(eventIds(receiver.stored), ["new-e00000", "new-e00001"]);
    assert.deepEqual(
      deadLetters(harness).map((d) => [d.reason, d.record_key]),
      [
        ["too_old", "event:old:old-e00000"],
        ["too_old", "event:old:old-e00001"],
      ],
    );
    assert.equal(
      await harness.metric("vbo_log_records_dead_lettered_total", { reason: "too_old" }),
      2,
    );
  });

  test("records that age past maxRecordAge in the outbox are dead-lettered at send time", async () => {
    receiver.respond(() => ({ status: 503, body: "down" }));
    harness = await startHarness({ endpoint: receiver.url, maxRecordAgeMs: 24 * HOUR });
    const h = harness;
    // One chunk: two records 23 hours old, two 1 hour old; then the receiver is down for 2 hours.
    h.commit(
      poll({
        newEvents: [
          ...eventSeries(2, TEST_START_MS - 23 * HOUR, "aging"),
          ...eventSeries(2, TEST_START_MS - HOUR, "young"),
        ],
      }),
    );
    assert.equal(await h.pipeline.drainOnce(), 0);
    assert.equal(await h.metric("vbo_log_outbox_records"), 4);
    receiver.respond(null);
    h.clock.advance(2 * HOUR);
    assert.equal(await h.pipeline.drainOnce(), 2);
    assert.deepEqual(eventIds(receiver.stored), ["young-e00000", "young-e00001"]);
    assert.deepEqual(
      deadLetters(h).map((d) => [d.reason, d.record_key]),
      [
        ["too_old", "event:aging:aging-e00000"],
        ["too_old", "event:aging:aging-e00001"],
      ],
    );
    assert.equal(await h.metric("vbo_log_records_dead_lettered_total", { reason: "too_old" }), 2);
    assert.equal(await h.metric("vbo_log_outbox_records"), 0);
  });

  test("a configuration change leaves pending chunks as they were encoded", async () => {
    receiver.respond(() => ({ status: 503, body: "down" }));
    harness = await startHarness({ endpoint: receiver.url, protocol: "http/protobuf" });
    harness.commit(poll({ newEvents: eventSeries(3, TEST_START_MS - 60_000) }));
    assert.equal(await harness.pipeline.drainOnce(), 0);
    const refused = receiver.requests[0];
    assert.ok(refused);
    const dir = harness.dir;
    await harness.close({ keepDir: true });
    harness = null;
    receiver.respond(null);
    harness = await startHarness(
      { endpoint: receiver.url, protocol: "http/json", compression: "none" },
      TEST_START_MS,
      undefined,
      dir,
    );
    assert.equal(await harness.pipeline.drainOnce(), 3);
    const sent = receiver.requests[1];
    assert.equal(sent?.protocol, "protobuf");
    assert.equal(sent?.contentEncoding, "gzip");
    assert.ok(sent?.raw.equals(refused.raw), "the same bytes as the first attempt");
    // New records follow the new configuration.
    harness.commit(poll({ newEvents: eventSeries(1, TEST_START_MS - 30_000, "s-2") }));
    assert.equal(await harness.pipeline.drainOnce(), 1);
    assert.equal(receiver.requests[2]?.protocol, "json");
    assert.equal(receiver.requests[2]?.contentEncoding, "");
  });

  test("passwords and tokens never reach the exporter's own log", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString("utf8"));
        callback();
      },
    });
    receiver.respond(() => ({ status: 401, body: "unauthorized" }));
    for (const auth of [
      { basicAuth: { username: "loki", password: "pa55-secret" } },
      { bearerToken: "tok-secret" },
    ]) {
      harness = await startHarness(
        { endpoint: receiver.url, ...auth },
        TEST_START_MS,
        createLogger("debug", sink),
      );
      const h = harness;
      h.commit(poll({ newEvents: eventSeries(2, TEST_START_MS - 60_000) }));
      h.pipeline.start();
      await until(() => h.clock.sleeps.some((ms) => ms > 200), 5000, "a retry");
      await h.close();
      harness = null;
      await receiver.down();
      harness = await startHarness(
        { endpoint: receiver.url, ...auth },
        TEST_START_MS,
        createLogger("debug", sink),
      );
      const unreachable = harness;
      unreachable.commit(poll({ newEvents: eventSeries(1, TEST_START_MS - 60_000, "s-9") }));
      unreachable.pipeline.start();
      await until(() => unreachable.clock.sleeps.some((ms) => ms > 200), 5000, "a retry");
      await unreachable.close();
      harness = null;
      await receiver.up();
    }
    const text = lines.join("");
    assert.match(text, /log export failed/);
    assert.ok(!text.includes("pa55-secret") && !text.includes("tok-secret"));
    assert.ok(!text.includes(Buffer.from("loki:pa55-secret").toString("base64")));
  });

  test("headers, basic auth and bearer token reach the receiver", async () => {
    harness = await startHarness({
      endpoint: receiver.url,
      headers: { "X-Scope-OrgID": "tenant-a" },
      basicAuth: { username: "loki", password: "s3cret" },
    });
    harness.commit(poll({ newEvents: eventSeries(1, TEST_START_MS - 60_000) }));
    await harness.pipeline.drainOnce();
    const headers = receiver.requests[0]?.headers;
    assert.equal(headers?.["x-scope-orgid"], "tenant-a");
    assert.equal(headers?.authorization, `Basic ${Buffer.from("loki:s3cret").toString("base64")}`);
    await harness.close();

    harness = await startHarness({ endpoint: receiver.url, bearerToken: "t0ken" });
    harness.commit(poll({ newEvents: eventSeries(1, TEST_START_MS - 60_000, "s-2") }));
    await harness.pipeline.drainOnce();
    assert.equal(receiver.requests[1]?.headers.authorization, "Bearer t0ken");
  });
});
