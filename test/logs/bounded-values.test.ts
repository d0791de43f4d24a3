// Records with huge texts from VBO (a 10 KB client host, a 200 KB message, item paths in a
// multi-byte script) still reach a receiver that, like Loki, refuses a line whose structured
// metadata passes 64 KB: every record arrives once, ids whole, long values cut with their length.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import {
  type OtlpReceiver,
  type ReceivedRecord,
  startOtlpReceiver,
  stringAttribute,
} from "../helpers/otlp-receiver.ts";
import { type Harness, startHarness, until } from "./fixtures/harness.ts";
import { event, poll, session, ts } from "./fixtures/poll-data.ts";

const LOKI_STRUCTURED_METADATA_BYTES = 64 * 1024;

/** What Loki counts: the names and values of a line's structured metadata (its log attributes). */
function metadataBytes(record: ReceivedRecord): number {
  let n = 0;
  for (const a of record.attributes)
    n += Buffer.byteLength(a.key) + Buffer.byteLength(String(a.value.value));
  return n;
}

let receiver: OtlpReceiver | null = null;
let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  await receiver?.close();
  harness = null;
  receiver = null;
});

test("huge texts from VBO are cut to fit Loki's limits; the records all arrive, their ids whole", async () => {
  receiver = await startOtlpReceiver();
  const r = receiver;
  // Loki's answer to a line with more structured metadata than its limit.
  r.respond((request) =>
    request.records.some((rec) => metadataBytes(rec) > LOKI_STRUCTURED_METADATA_BYTES)
      ? { status: 400, body: "structured metadata size exceeds limit of 65536 bytes" }
      : null,
  );
  const hugeHost = `HOST-${"h".repeat(10_235)}`;
  const japanese = "資料".repeat(5_000); // 10 000 characters, 30 000 bytes in UTF-8
  const owner = session({ clientHost: hugeHost, scopeName: japanese, reason: japanese });
  const id = (i: number) => `b0000000-0000-4000-8000-00000000000${i}`;
  const events = [
    event({
      id: id(1),
      message: "m".repeat(200_000),
      itemName: japanese,
      source: japanese,
      target: japanese,
    }),
    event({ id: id(2), title: "😀".repeat(3_000), startTime: ts("2022-02-02T15:59:10.0000000Z") }),
    event({ id: id(3), message: "a short one", startTime: ts("2022-02-02T15:59:11.0000000Z") }),
  ];
  harness = await startHarness({ endpoint: r.url });
  const h = harness;
  h.commit(
    poll({
      newEvents: events.map((e) => ({ session: owner, event: { ...e, sessionId: owner.id } })),
    }),
  );
  h.pipeline.start();
  await until(() => r.stored.length >= 3, 10_000, "three records");
  assert.equal(r.stored.length, 3);
  assert.deepEqual(h.store.outbox.listDeadLetters(10), [], "nothing dead-lettered");
  assert.deepEqual(
    r.stored.map((rec) => stringAttribute(rec, "vbo.event.id")),
    [id(1), id(2), id(3)],
  );
  for (const rec of r.stored) {
    assert.ok(metadataBytes(rec) <= LOKI_STRUCTURED_METADATA_BYTES, `${metadataBytes(rec)} bytes`);
    assert.equal(stringAttribute(rec, "vbo.session.id"), owner.id);
    for (const a of rec.attributes)
      if (a.value.type === "string") {
        assert.ok(a.value.value.length <= 2048, `${a.key}: ${a.value.value.length} characters`);
        assert.ok(
          !/[\ud800-\udbff]$|^[\udc00-\udfff]/.test(a.value.value),
          `${a.key} splits a character`,
        );
      }
    const host = stringAttribute(rec, "vbo.client_host") ?? "";
    assert.ok(host.startsWith("HOST-hhh"), host.slice(0, 20));
    assert.match(host, /… \[cut: 10240 characters in all\]$/);
  }
  const first = r.stored[0];
  assert.ok(first);
  const body = String(first.body?.value ?? "");
  assert.match(body, /^m+… \[cut: 200000 characters in all\]$/);
  assert.ok(body.length <= 32_768);
  assert.match(
    stringAttribute(first, "vbo.item.name") ?? "",
    /^(資料)+.*\[cut: 10000 characters in all\]$/,
  );
  const third = r.stored[2];
  assert.equal(third?.body?.value, "a short one", "short texts are untouched");
});
