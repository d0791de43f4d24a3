// The outbox inside the state store's transaction: rollback keeps nothing, the cap refuses poll
// batches loudly (backpressure), stored records read back identically, console mode prints them.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { OutboxFullError } from "../../src/logs/errors.ts";
import { decodeStoredRecord, encodeStoredRecord } from "../../src/logs/record-codec.ts";
import { recordsFromPoll } from "../../src/logs/records.ts";
import { type Harness, startHarness, TEST_START_MS } from "./fixtures/harness.ts";
import { event, eventSeries, poll, session, ts } from "./fixtures/poll-data.ts";

const context = { serviceVersion: "1.2.3", instanceId: "host-a/0" };

describe("log outbox", () => {
  let harness: Harness | null = null;
  afterEach(async () => {
    await harness?.close();
    harness = null;
  });

  test("records written in a transaction that rolls back are not kept", async () => {
    harness = await startHarness({ endpoint: null });
    const h = harness;
    let inside = -1;
    assert.throws(
      () =>
        h.store.transaction((tx) => {
          h.pipeline.sink.writeInTransaction(
            tx,
            poll({ newEvents: eventSeries(3, TEST_START_MS) }),
          );
          inside = h.store.outbox.pendingRecords();
          throw new Error("the rest of the batch failed");
        }),
      /the rest of the batch failed/,
    );
    assert.equal(inside, 3, "visible inside the transaction");
    assert.equal(await h.metric("vbo_log_outbox_records"), 0);
    assert.equal(await h.pipeline.drainOnce(), 0);
  });

  test("the same record committed twice through the state store is kept once", async () => {
    harness = await startHarness({ endpoint: null });
    const h = harness;
    const batch = poll({
      newSessions: [session({ id: "s-1" })],
      newEvents: eventSeries(3, TEST_START_MS),
    });
    h.store.commitPoll(batch, [h.pipeline.sink]);
    assert.throws(() => h.store.commitPoll(batch, [h.pipeline.sink]), /already committed/);
    assert.equal(await h.metric("vbo_log_outbox_records"), 3);
    assert.equal(await h.pipeline.drainOnce(), 3);
  });

  test("at the cap a poll batch is refused with OutboxFullError and rolled back", async () => {
    harness = await startHarness({ endpoint: null, outboxMaxRecords: 5 });
    const h = harness;
    h.commit(poll({ newEvents: eventSeries(4, TEST_START_MS, "a") }));
    // Below the cap a batch may overshoot it (soft cap): a large first poll never wedges.
    h.commit(poll({ newEvents: eventSeries(3, TEST_START_MS, "b") }));
    assert.equal(await h.metric("vbo_log_outbox_records"), 7);
    assert.throws(
      () => h.commit(poll({ newEvents: eventSeries(1, TEST_START_MS, "c") })),
      (error: unknown) =>
        error instanceof OutboxFullError && error.reason === "outbox_full" && error.limit === 5,
    );
    assert.equal(await h.metric("vbo_log_outbox_records"), 7, "nothing of the refused batch kept");
    assert.equal(await h.metric("vbo_log_outbox_full_total"), 1);
    assert.equal(await h.metric("vbo_log_outbox_limit_records"), 5);
    // Once drained, the same batch is accepted: delayed, not lost.
    assert.equal(await h.pipeline.drainOnce(), 7);
    h.commit(poll({ newEvents: eventSeries(1, TEST_START_MS, "c") }));
    assert.equal(await h.pipeline.drainOnce(), 1);
  });

  test("the outbox drains by record timestamp, not by insertion order", async () => {
    harness = await startHarness({ endpoint: null, batchMaxRecords: 2 });
    harness.commit(poll({ newEvents: eventSeries(2, TEST_START_MS - 60_000, "newer") }));
    harness.commit(poll({ newEvents: eventSeries(2, TEST_START_MS - 600_000, "older") }));
    assert.equal(await harness.pipeline.drainOnce(), 4);
    assert.deepEqual(
      harness.console.map((line) => /vbo\.event\.id=(\S+)/.exec(line)?.[1]),
      ["older-e00000", "older-e00001", "newer-e00000", "newer-e00001"],
    );
  });

  test("a stored record reads back identical and re-encodes to the same bytes", () => {
    const records = recordsFromPoll(
      poll({
        newEvents: [{ session: session(), event: event({ userId: "u-1" }) }],
        finishedSessions: [
          session({ state: "Stopped", endTime: ts("2022-02-02T16:01:10.6000001Z") }),
        ],
      }),
      context,
    );
    assert.equal(records.length, 2);
    for (const record of records) {
      const text = encodeStoredRecord(record);
      const back = decodeStoredRecord(text);
      assert.deepEqual(back, record);
      assert.equal(encodeStoredRecord(back), text);
    }
    assert.throws(() => decodeStoredRecord("{}"), /unreadable/);
  });

  test("without an endpoint records go to the console as readable lines", async () => {
    harness = await startHarness({ endpoint: null });
    harness.commit(poll({ newEvents: [{ session: session(), event: event() }] }));
    assert.equal(await harness.pipeline.drainOnce(), 1);
    assert.equal(harness.console.length, 1);
    const line = harness.console[0] ?? "";
    assert.ok(
      line.startsWith(
        "2022-02-02T15:59:09.768022900Z INFO  vbo.restore.event [vbo-main] Item Q1.xlsx was saved successfully",
      ),
      line,
    );
    assert.match(
      line,
      / \| vbo\.organization=contoso\.onmicrosoft\.com vbo\.restore_type=exchange /,
    );
    assert.match(line, / vbo\.client_host=BXYDEV01 vbo\.client_gateway=203\.0\.113\.10 /);
    assert.match(
      line,
      / vbo\.session\.name="Exchange restore \(Job: Daily - 3\/16\/2025 6:00:12 PM\)" /,
    );
    assert.match(line, / vbo\.item\.size_bytes=5368709120 /);
    assert.equal(await harness.metric("vbo_log_records_exported_total"), 1);
  });
});
