// Timestamps to exact nanoseconds and .NET time spans, including the texts VBO really sends.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { VboError } from "../../src/vbo/errors.ts";
import { parseTimeSpan, parseTimestamp } from "../../src/vbo/time.ts";

const wholeSecondNs = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;

describe("parseTimestamp", () => {
  it("keeps all seven fractional digits VBO sends (Date alone would lose four)", () => {
    const t = parseTimestamp("2022-02-02T15:59:09.7680229Z");
    assert.equal(t.ns, wholeSecondNs("2022-02-02T15:59:09Z") + 768_022_900n);
    assert.match(t.ns.toString(), /768022900$/);
    assert.equal(t.text, "2022-02-02T15:59:09.7680229Z");
    assert.notEqual(t.ns, BigInt(Date.parse(t.text)) * 1_000_000n);
  });

  it("keeps years 0-99 as written (.NET's DateTime.MinValue is 0001-01-01)", () => {
    const min = new Date(0);
    min.setUTCFullYear(1, 0, 1);
    assert.equal(parseTimestamp("0001-01-01T00:00:00").ns, BigInt(min.getTime()) * 1_000_000n);
    assert.equal(
      parseTimestamp("0001-01-01T00:00:00").ns,
      -62_135_596_800_000_000_000n,
      "62 135 596 800 s before the epoch",
    );
    const late = new Date(0);
    late.setUTCFullYear(99, 11, 31);
    late.setUTCHours(23, 59, 59);
    assert.equal(
      parseTimestamp("0099-12-31T23:59:59.5Z").ns,
      BigInt(late.getTime()) * 1_000_000n + 500_000_000n,
    );
    assert.throws(() => parseTimestamp("0099-02-29T00:00:00Z"), VboError, "99 is no leap year");
  });

  it("reads 0 to 9 fractional digits by position, not by a fixed width", () => {
    const base = wholeSecondNs("2025-03-16T18:00:12Z");
    const cases: [string, bigint][] = [
      ["", 0n],
      [".5", 500_000_000n],
      [".05", 50_000_000n],
      [".123", 123_000_000n],
      [".0000001", 100n],
      [".123456789", 123_456_789n],
    ];
    for (const [fraction, ns] of cases) {
      assert.equal(parseTimestamp(`2025-03-16T18:00:12${fraction}Z`).ns, base + ns, fraction);
    }
  });

  it("applies zone offsets such as +03:00 and -05:30", () => {
    assert.equal(
      parseTimestamp("2022-02-02T18:59:09.7680229+03:00").ns,
      parseTimestamp("2022-02-02T15:59:09.7680229Z").ns,
    );
    assert.equal(
      parseTimestamp("2022-02-02T10:29:09-05:30").ns,
      wholeSecondNs("2022-02-02T15:59:09Z"),
    );
  });

  it("handles dates before the epoch and leap days", () => {
    assert.equal(parseTimestamp("1969-12-31T23:59:59.5Z").ns, -500_000_000n);
    assert.equal(parseTimestamp("2024-02-29T00:00:00Z").ns, wholeSecondNs("2024-02-29T00:00:00Z"));
  });

  it("rejects text that is not a timestamp with a bad_response error quoting it", () => {
    for (const text of [
      "",
      "yesterday",
      "2022-02-02",
      "2022-13-01T00:00:00Z",
      "2023-02-29T00:00:00Z",
      "2022-02-02T24:00:00Z",
      "2022-02-02T15:59:09.1234567890Z",
      "2022-02-02T15:59:09Z trailing",
    ]) {
      assert.throws(
        () => parseTimestamp(text),
        (error: unknown) =>
          error instanceof VboError &&
          error.reason === "bad_response" &&
          error.message.includes("invalid timestamp"),
        text,
      );
    }
  });
});

describe("parseTimeSpan", () => {
  it("reads .NET time spans to seconds", () => {
    assert.equal(parseTimeSpan("00:00:00.0446928"), 0.0446928);
    assert.equal(parseTimeSpan("1.02:03:04"), 86_400 + 2 * 3_600 + 3 * 60 + 4);
    assert.equal(parseTimeSpan("00:01:30"), 90);
    assert.equal(parseTimeSpan("-00:00:02.5"), -2.5);
  });

  it("returns null for text it cannot read", () => {
    for (const text of ["", "soon", "25:00:00", "00:61:00", "1:2:3"]) {
      assert.equal(parseTimeSpan(text), null, text);
    }
  });
});
