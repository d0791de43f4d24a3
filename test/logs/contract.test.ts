// The audit record contract as it arrives over the wire: both OTLP protocols, gzip and not,
// decoded by the independent test receiver and checked field by field.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  type OtlpReceiver,
  type ReceivedKeyValue,
  type ReceivedRecord,
  startOtlpReceiver,
  type Value,
} from "../helpers/otlp-receiver.ts";
import { startHarness } from "./fixtures/harness.ts";
import { event, poll, session, ts } from "./fixtures/poll-data.ts";

const s = (value: string): Value => ({ type: "string", value });
const i = (value: bigint): Value => ({ type: "int", value });
const d = (value: number): Value => ({ type: "double", value });
const kv = (key: string, value: Value): ReceivedKeyValue => ({ key, value });

const SESSION_ID = "6f1c8a2e-0d4b-4f7a-9a53-1b2c3d4e5f60";

const RESOURCE = [
  kv("service.name", s("vbo-restore-exporter")),
  kv("service.version", s("1.2.3")),
  kv("service.instance.id", s("host-a/0")),
  kv("vbo.server", s("vbo-main")),
];

const SESSION_ATTRIBUTES = [
  kv("vbo.organization", s("contoso.onmicrosoft.com")),
  kv("vbo.restore_type", s("exchange")),
  kv("vbo.session.id", s(SESSION_ID)),
  kv("vbo.session.name", s("Exchange restore (Job: Daily - 3/16/2025 6:00:12 PM)")),
  kv("vbo.session.type", s("Vex")),
  kv("vbo.initiated_by", s("CONTOSO\\jdoe")),
  kv("vbo.client_host", s("BXYDEV01")),
  kv("vbo.client_gateway", s("203.0.113.10")),
  kv("vbo.scope_name", s("Mailbox jdoe")),
  kv("vbo.reason", s("Legal hold request")),
];

function pollWithEverything() {
  const running = session();
  const finished = session({
    state: "Stopped",
    result: "Failed",
    endTime: ts("2022-02-02T16:01:10.6000001Z"),
    details: "1 item failed",
  });
  return poll({
    newSessions: [running],
    finishedSessions: [finished],
    newEvents: [
      { session: running, event: event({ userId: "user-42" }) },
      {
        session: running,
        event: event({
          id: "a0000000-0000-4000-8000-000000000000",
          type: "None",
          status: "Running",
          startTime: ts("2022-02-02T15:59:08.1Z"),
          title: "Restore session started",
          message: "Restore session started",
          order: 0,
          itemName: "",
          itemType: null,
          itemSizeBytes: 0,
          source: "",
          target: "",
          durationSeconds: null,
        }),
      },
      {
        session: running,
        event: event({
          id: "a0000000-0000-4000-8000-000000000002",
          type: "Export",
          status: "Failed",
          startTime: ts("2022-02-02T15:59:10Z"),
          message: "Item Q2.xlsx failed",
          order: 4,
          itemName: "Q2.xlsx",
          durationSeconds: 1.5,
          target: "D:\\export.pst",
        }),
      },
      {
        session: running,
        event: event({
          id: "a0000000-0000-4000-8000-000000000003",
          type: "Send",
          status: "Skipped",
          startTime: ts("2022-02-02T15:59:11.000000001Z"),
          message: "Item skipped",
          order: 5,
          itemName: "Q3.xlsx",
          durationSeconds: 0.25,
        }),
      },
    ],
  });
}

function byEventId(records: readonly ReceivedRecord[], id: string): ReceivedRecord {
  const found = records.find((r) =>
    r.attributes.some(
      (a) => a.key === "vbo.event.id" && a.value.type === "string" && a.value.value === id,
    ),
  );
  assert.ok(found, `record of event ${id} arrived`);
  return found;
}

for (const protocol of ["http/protobuf", "http/json"] as const) {
  for (const compression of ["gzip", "none"] as const) {
    describe(`record contract over ${protocol}, ${compression}`, () => {
      let receiver: OtlpReceiver;
      let records: readonly ReceivedRecord[];

      before(async () => {
        receiver = await startOtlpReceiver();
        const harness = await startHarness({ endpoint: receiver.url, protocol, compression });
        try {
          harness.commit(pollWithEverything());
          assert.equal(await harness.pipeline.drainOnce(), 5);
          assert.equal(await harness.metric("vbo_log_records_exported_total"), 5);
          assert.equal(await harness.metric("vbo_log_outbox_records"), 0);
        } finally {
          await harness.close();
        }
        records = receiver.stored;
      });
      after(() => receiver.close());

      test("arrives in one request with the protocol's content type and encoding", () => {
        assert.equal(receiver.requests.length, 1);
        const request = receiver.requests[0];
        assert.equal(request?.protocol, protocol === "http/json" ? "json" : "protobuf");
        assert.equal(request?.contentEncoding, compression === "gzip" ? "gzip" : "");
        assert.equal(records.length, 5);
      });

      test("records are in timestamp order with the resource and scope of the exporter", () => {
        const times = records.map((r) => r.timeUnixNano);
        assert.deepEqual(
          times,
          [...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
        );
        for (const record of records) {
          assert.deepEqual(record.resource, RESOURCE);
          assert.equal(record.scopeName, "vbo-restore-exporter");
        }
      });

      test("an item event carries every attribute, typed, with nanosecond timestamps", () => {
        const record = byEventId(records, "a0000000-0000-4000-8000-000000000001");
        assert.equal(record.eventName, "vbo.restore.event");
        assert.equal(record.timeUnixNano, 1_643_817_549_768_022_900n);
        assert.equal(record.observedTimeUnixNano, 1_643_817_600_123_456_789n);
        assert.equal(record.severityNumber, 9);
        assert.equal(record.severityText, "INFO");
        assert.deepEqual(
          record.body,
          s(
            "Item Q1.xlsx was saved successfully (type: Item; source: /personal/jdoe/Documents/Q1.xlsx; target: C:\\Users\\jdoe)",
          ),
        );
        assert.deepEqual(record.attributes, [
          ...SESSION_ATTRIBUTES,
          kv("vbo.event.id", s("a0000000-0000-4000-8000-000000000001")),
          kv("vbo.event.type", s("Save")),
          kv("vbo.event.status", s("Success")),
          kv("vbo.event.order", i(3n)),
          kv("vbo.event.title", s("Item saved")),
          kv("vbo.event.duration_seconds", d(0.0446928)),
          kv("vbo.item.name", s("Q1.xlsx")),
          kv("vbo.item.type", s("Item")),
          kv("vbo.item.size_bytes", i(5_368_709_120n)),
          kv("vbo.item.source", s("/personal/jdoe/Documents/Q1.xlsx")),
          kv("vbo.user.id", s("user-42")),
        ]);
      });

      test("a lifecycle event omits empty strings and item attributes", () => {
        const record = byEventId(records, "a0000000-0000-4000-8000-000000000000");
        assert.equal(record.timeUnixNano, 1_643_817_548_100_000_000n);
        assert.equal(record.severityNumber, 9);
        assert.equal(record.severityText, "INFO");
        assert.deepEqual(record.attributes, [
          ...SESSION_ATTRIBUTES,
          kv("vbo.event.id", s("a0000000-0000-4000-8000-000000000000")),
          kv("vbo.event.type", s("None")),
          kv("vbo.event.status", s("Running")),
          kv("vbo.event.order", i(0n)),
          kv("vbo.event.title", s("Restore session started")),
        ]);
      });

      test("failed events are ERROR (17) and skipped ones WARN (13)", () => {
        const failed = byEventId(records, "a0000000-0000-4000-8000-000000000002");
        assert.equal(failed.severityNumber, 17);
        assert.equal(failed.severityText, "ERROR");
        assert.deepEqual(
          failed.attributes.find((a) => a.key === "vbo.event.duration_seconds")?.value,
          d(1.5),
        );
        assert.deepEqual(
          failed.attributes.find((a) => a.key === "vbo.item.target")?.value,
          s("D:\\export.pst"),
        );
        const skipped = byEventId(records, "a0000000-0000-4000-8000-000000000003");
        assert.equal(skipped.timeUnixNano, 1_643_817_551_000_000_001n);
        assert.equal(skipped.severityNumber, 13);
        assert.equal(skipped.severityText, "WARN");
      });

      test("a finished session is one vbo.restore.session record at its end time", () => {
        const sessions = records.filter((r) => r.eventName === "vbo.restore.session");
        assert.equal(sessions.length, 1);
        const record = sessions[0];
        assert.ok(record);
        assert.equal(record.timeUnixNano, 1_643_817_670_600_000_100n);
        assert.equal(record.severityNumber, 17);
        assert.equal(record.severityText, "ERROR");
        assert.equal(record.body?.type, "string");
        assert.match(
          String(record.body?.value),
          /exchange restore session .* finished with Failed/,
        );
        assert.deepEqual(record.attributes, [
          ...SESSION_ATTRIBUTES,
          kv("vbo.session.state", s("Stopped")),
          kv("vbo.session.result", s("Failed")),
          kv("vbo.session.details", s("1 item failed")),
          kv("vbo.session.start_time", s("2022-02-02T15:59:08.1000000Z")),
          kv("vbo.session.end_time", s("2022-02-02T16:01:10.6000001Z")),
          kv("vbo.session.duration_seconds", d(122.5000001)),
        ]);
        assert.ok(!record.attributes.some((a) => a.key === "vbo.event.id"));
      });
    });
  }
}
