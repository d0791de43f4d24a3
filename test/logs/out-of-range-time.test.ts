// Source times OTLP cannot carry (.NET's DateTime.MinValue and MaxValue) are sent as 0, "unknown",
// instead of wedging the outbox; records stored with a negative time by earlier versions still go.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { encodeStoredRecord } from "../../src/logs/record-codec.ts";
import type { LogRecord } from "../../src/logs/records.ts";
import { parseTimestamp } from "../../src/vbo/time.ts";
import { type OtlpReceiver, startOtlpReceiver, stringAttribute } from "../helpers/otlp-receiver.ts";
import { writeVersion2State } from "../state/fixtures/old-state.ts";
import { type Harness, startHarness, TEST_START_MS } from "./fixtures/harness.ts";
import { event, poll, session } from "./fixtures/poll-data.ts";

const OBSERVED_NS = BigInt(TEST_START_MS) * 1_000_000n;

describe("record times OTLP cannot express", () => {
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

  test("DateTime.MinValue and MaxValue are sent as time 0 with the observed time", async () => {
    harness = await startHarness({ endpoint: receiver.url });
    const h = harness;
    const min = parseTimestamp("0001-01-01T00:00:00");
    const max = parseTimestamp("9999-12-31T23:59:59.9999999");
    h.commit(
      poll({
        observedAtNs: OBSERVED_NS,
        newEvents: [
          { session: session(), event: event({ id: "e-min", startTime: min }) },
          { session: session(), event: event({ id: "e-max", startTime: max }) },
        ],
        finishedSessions: [
          session({ id: "s-min", creationTime: min, endTime: min, state: "Stopped" }),
        ],
      }),
    );
    assert.equal(await h.pipeline.drainOnce(), 3);
    assert.equal(await h.metric("vbo_log_records_dead_lettered_total", { reason: "too_old" }), 0);
    assert.equal(receiver.stored.length, 3);
    for (const record of receiver.stored) {
      assert.equal(record.timeUnixNano, 0n);
      assert.equal(record.observedTimeUnixNano, OBSERVED_NS);
    }
    const sessionRecord = receiver.stored.find(
      (r) =>
        stringAttribute(r, "vbo.session.id") === "s-min" && r.eventName === "vbo.restore.session",
    );
    assert.ok(sessionRecord, "the session record arrived");
    assert.equal(stringAttribute(sessionRecord, "vbo.session.start_time"), "0001-01-01T00:00:00");
    assert.equal(stringAttribute(sessionRecord, "vbo.session.end_time"), "0001-01-01T00:00:00");
  });

  test("a record an earlier version stored with a negative time is still read and sent", async () => {
    const timeUnixNano = BigInt(Date.UTC(1901, 0, 1)) * 1_000_000n;
    const stored: LogRecord = {
      key: "event:s-old:e-old",
      server: "vbo-main",
      eventName: "vbo.restore.event",
      timeUnixNano,
      observedTimeUnixNano: OBSERVED_NS,
      severityNumber: 9,
      severityText: "INFO",
      body: "stored before the fix",
      resource: [{ key: "vbo.server", value: { type: "string", value: "vbo-main" } }],
      attributes: [],
    };
    const text = encodeStoredRecord(stored);
    assert.match(text, /"time":"-\d+"/);
    const dir = mkdtempSync(join(tmpdir(), "vbo-logs-v2-"));
    writeVersion2State(dir, {
      outbox: [
        {
          recordKey: stored.key,
          server: stored.server,
          timeUnixNano,
          enqueuedAtMs: TEST_START_MS,
          record: text,
        },
      ],
    });
    harness = await startHarness({ endpoint: receiver.url }, TEST_START_MS, undefined, dir);
    const h = harness;
    assert.equal(await h.pipeline.drainOnce(), 1);
    assert.equal(await h.metric("vbo_log_records_dead_lettered_total", { reason: "too_old" }), 0);
    assert.equal(receiver.stored[0]?.timeUnixNano, 0n);
    assert.equal(receiver.stored[0]?.observedTimeUnixNano, OBSERVED_NS);
  });
});
