// A state file of version 2 (one outbox row per record) is converted on open: every pending record
// is sent, in time order and unchanged, dead letters stay and replay, counters are kept.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { encodeStoredRecord } from "../../src/logs/record-codec.ts";
import { recordsFromPoll } from "../../src/logs/records.ts";
import { type OtlpReceiver, startOtlpReceiver, stringAttribute } from "../helpers/otlp-receiver.ts";
import { type Version2OutboxRow, writeVersion2State } from "../state/fixtures/old-state.ts";
import { type Harness, startHarness, TEST_START_MS } from "./fixtures/harness.ts";
import { eventSeries, poll } from "./fixtures/poll-data.ts";

const context = { serviceVersion: "1.2.3", instanceId: "host-a/0" };

describe("a version-2 state file", () => {
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

  test("its pending records are all sent, oldest first, as stored; dead letters and counters stay", async () => {
    // 1 200 records (more than one chunk), inserted newest first as a v2 outbox could hold them.
    const records = recordsFromPoll(
      poll({ newEvents: eventSeries(1200, TEST_START_MS - 3_600_000) }),
      context,
    );
    const rows: Version2OutboxRow[] = [...records].reverse().map((record) => ({
      recordKey: record.key,
      server: record.server,
      timeUnixNano: record.timeUnixNano,
      enqueuedAtMs: TEST_START_MS - 1000,
      record: encodeStoredRecord(record),
    }));
    const [refused] = recordsFromPoll(
      poll({ newEvents: eventSeries(1, TEST_START_MS - 60_000, "refused") }),
      context,
    );
    assert.ok(refused);
    const dir = mkdtempSync(join(tmpdir(), "vbo-logs-v2-"));
    writeVersion2State(dir, {
      outbox: [
        ...rows,
        { ...rows[0], recordKey: "event:bad:1", record: "{not json" } as Version2OutboxRow,
      ],
      deadLetters: [
        {
          recordKey: refused.key,
          server: refused.server,
          timeUnixNano: refused.timeUnixNano,
          enqueuedAtMs: TEST_START_MS - 1000,
          record: encodeStoredRecord(refused),
          reason: "bad_request",
          message: "invalid attribute",
        },
      ],
      counters: [{ metric: "vbo_restore_events_total", labels: ["vbo-main", "x"], value: 1200 }],
    });

    harness = await startHarness(
      { endpoint: receiver.url, batchMaxRecords: 500 },
      TEST_START_MS,
      undefined,
      dir,
    );
    const h = harness;
    assert.deepEqual(h.store.counterRows(), [
      { metric: "vbo_restore_events_total", labels: ["vbo-main", "x"], value: 1200 },
    ]);
    assert.equal(await h.metric("vbo_log_outbox_records"), 1201, "every row became pending");
    assert.equal(await h.metric("vbo_log_dead_letter_records"), 1);

    assert.equal(await h.pipeline.drainOnce(), 1200);
    const ids = receiver.stored.map((r) => stringAttribute(r, "vbo.event.id"));
    assert.deepEqual(
      ids,
      records.map((r) => r.attributes.find((a) => a.key === "vbo.event.id")?.value.value),
      "every record, in time order",
    );
    assert.ok(receiver.requests.every((r) => r.records.length <= 500));
    const sent = receiver.stored[7];
    const original = records[7];
    assert.ok(sent && original);
    assert.equal(sent.timeUnixNano, original.timeUnixNano);
    assert.equal(sent.observedTimeUnixNano, original.observedTimeUnixNano);
    assert.deepEqual(sent.body, { type: "string", value: original.body });
    assert.deepEqual(
      sent.attributes.map((a) => a.key),
      original.attributes.map((a) => a.key),
    );
    // The unreadable row is set aside, not lost and not blocking.
    assert.deepEqual(
      h.store.outbox.listDeadLetters(10).map((d) => d.reason),
      ["bad_request", "corrupt_record"],
    );
    assert.equal(await h.metric("vbo_log_outbox_records"), 0);

    assert.equal(h.pipeline.replayDeadLetters("bad_request"), 1);
    assert.equal(await h.pipeline.drainOnce(), 1);
    const last = receiver.stored.at(-1);
    assert.ok(last);
    assert.equal(stringAttribute(last, "vbo.event.id"), "refused-e00000");
  });
});
