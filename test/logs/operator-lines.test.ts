// What the exporter's own log says about delivery: a receiver that refuses everything gives one
// line per reason per interval with a count (not one per chunk), and a long drain reports how
// many records are left at each tick of its timer, ending with the totals.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, test } from "node:test";
import { createLogger } from "../../src/logger.ts";
import { type OtlpReceiver, startOtlpReceiver } from "../helpers/otlp-receiver.ts";
import { type Harness, startHarness, TEST_START_MS } from "./fixtures/harness.ts";
import { eventSeries, poll } from "./fixtures/poll-data.ts";

interface Line {
  readonly level: number;
  readonly msg: string;
  readonly reason?: string;
  readonly records?: number;
  readonly times?: number;
  readonly recordsLeft?: number;
  readonly recordsSent?: number;
}

function capture(): { lines: Line[]; sink: Writable } {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, sink };
}

describe("the exporter's own log lines about delivery", () => {
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

  test("a receiver answering 400 to everything gives one dead-letter line per interval with a count", async () => {
    receiver.respond(() => ({ status: 400, body: "invalid request" }));
    const { lines, sink } = capture();
    harness = await startHarness(
      { endpoint: receiver.url, batchMaxRecords: 5 },
      TEST_START_MS,
      createLogger("info", sink),
    );
    for (let i = 0; i < 8; i++)
      harness.commit(
        poll({ newEvents: eventSeries(25, TEST_START_MS - 600_000 + i * 30_000, `s-${i}`) }),
      );
    assert.equal(await harness.pipeline.drainOnce(), 0);
    const deadLetterLines = () =>
      lines.filter((l) => l.msg.startsWith("log records moved to the dead-letter table"));
    assert.equal(harness.store.outbox.listDeadLetters(1000).length, 200);
    assert.equal(deadLetterLines().length, 1, JSON.stringify(deadLetterLines()));
    assert.equal(deadLetterLines()[0]?.level, 50);
    assert.equal(deadLetterLines()[0]?.reason, "bad_request");

    // The interval over, the next pass writes what was summed since the first line.
    harness.clock.advance(10_000);
    await harness.pipeline.drainOnce();
    const [first, summed] = deadLetterLines();
    assert.equal(deadLetterLines().length, 2);
    assert.equal(summed?.reason, "bad_request");
    assert.equal(summed?.times, 39, "40 chunks refused: the first line, then 39 summed");
    assert.equal((first?.records ?? 0) + (summed?.records ?? 0), 200, "every record counted once");
    assert.match(summed?.msg ?? "", /\(39 times in the last 10 s\)$/);

    // Nothing new: nothing more is written.
    harness.clock.advance(10_000);
    await harness.pipeline.drainOnce();
    assert.equal(deadLetterLines().length, 2);
  });

  test("a drain that lasts reports records left and sent at each tick, then its totals", async () => {
    const { lines, sink } = capture();
    let tick: (() => void) | null = null;
    // The timer ticks when the receiver gets a request: the test waits on requests, not on time.
    receiver.respond(() => {
      tick?.();
      return null;
    });
    harness = await startHarness(
      { endpoint: receiver.url, batchMaxRecords: 10 },
      TEST_START_MS,
      createLogger("info", sink),
      undefined,
      {
        progressEvery: (_ms, fn) => {
          tick = fn;
          return () => {
            tick = null;
          };
        },
      },
    );
    harness.commit(poll({ newEvents: eventSeries(100, TEST_START_MS - 600_000) }));
    assert.equal(await harness.pipeline.drainOnce(), 100);
    const progress = lines.filter((l) => l.msg === "sending the outbox to the log receiver");
    assert.equal(progress.length, 10, "one line per tick");
    for (const [i, line] of progress.entries()) {
      assert.equal(line.recordsSent, i * 10);
      assert.equal(line.recordsLeft, 100 - i * 10);
    }
    const done = lines.filter((l) => l.msg === "the outbox drain is over");
    assert.equal(done.length, 1);
    assert.equal(done[0]?.recordsSent, 100);
    assert.equal(done[0]?.recordsLeft, 0);
  });
});
