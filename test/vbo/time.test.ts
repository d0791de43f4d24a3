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

/**
 * An independent, slow reading of the same grammar for the cross-check below: a regex, Date's
 * calendar and BigInt arithmetic (nothing shared with the parser under test).
 */
function referenceNs(text: string): bigint | null {
  const m =
    /^\s*(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:[Zz]|([+-])(\d{2}):?(\d{2}))?\s*$/.exec(
      text,
    );
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  if (date.getUTCDate() !== d) return null;
  date.setUTCHours(h, mi, s, 0);
  let ns = BigInt(date.getTime()) * 1_000_000n + BigInt((m[7] ?? "").padEnd(9, "0") || "0");
  if (m[8] !== undefined) {
    const [oh, om] = [Number(m[9]), Number(m[10])];
    if (oh > 23 || om > 59) return null;
    ns -= BigInt((m[8] === "-" ? -1 : 1) * (oh * 60 + om)) * 60_000_000_000n;
  }
  return ns;
}

/** A small deterministic generator (mulberry32) so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe("parseTimestamp against an independent reference", () => {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");

  it("agrees on 20 000 generated timestamps, valid and nearly valid", () => {
    const next = random(20260601);
    const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
    for (let k = 0; k < 20_000; k++) {
      const digits = int(0, 10);
      let fraction = "";
      for (let i = 0; i < digits; i++) fraction += String(int(0, 9));
      const zone = [
        "Z",
        "z",
        "",
        `+${pad(int(0, 25), 2)}:${pad(int(0, 61), 2)}`,
        `-${pad(int(0, 14), 2)}${pad(int(0, 59), 2)}`,
      ][int(0, 4)];
      const text = `${pad(int(0, 9999), 4)}-${pad(int(0, 13), 2)}-${pad(int(0, 32), 2)}${
        ["T", "t", " "][int(0, 2)]
      }${pad(int(0, 24), 2)}:${pad(int(0, 60), 2)}:${pad(int(0, 60), 2)}${
        digits === 0 ? "" : `${[".", ","][int(0, 1)]}${fraction}`
      }${zone}`;
      const expected = referenceNs(text);
      let actual: bigint | null;
      try {
        actual = parseTimestamp(text).ns;
      } catch (error) {
        assert.ok(error instanceof VboError, text);
        actual = null;
      }
      assert.equal(actual, expected, text);
    }
  });

  it("agrees on mangled texts (a character dropped, doubled or replaced)", () => {
    const next = random(7);
    const base = [
      "2022-02-02T15:59:09.7680229Z",
      "2020-08-27T18:01:21+03:00",
      "0001-01-01T00:00:00",
      "2024-02-29 23:59:59,5",
    ];
    const alphabet = "0123456789-:T.Z+ ,x";
    for (let k = 0; k < 20_000; k++) {
      const source = base[k % base.length] ?? "";
      const at = Math.floor(next() * source.length);
      const char = alphabet[Math.floor(next() * alphabet.length)] ?? "";
      const kind = k % 3;
      const text =
        kind === 0
          ? source.slice(0, at) + source.slice(at + 1)
          : kind === 1
            ? source.slice(0, at) + source[at] + source.slice(at)
            : source.slice(0, at) + char + source.slice(at + 1);
      let actual: bigint | null;
      try {
        actual = parseTimestamp(text).ns;
      } catch {
        actual = null;
      }
      assert.equal(actual, referenceNs(text), JSON.stringify(text));
    }
  });
});

describe("parseTimeSpan against an independent reference", () => {
  /** The grammar as a regex, read with Number() on the pieces. */
  function referenceSeconds(text: string): number | null {
    const m = /^\s*(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?\s*$/.exec(text);
    if (m === null) return null;
    const [h, mi, s] = [Number(m[3]), Number(m[4]), Number(m[5])];
    if (h > 23 || mi > 59 || s > 59) return null;
    const total =
      Number(m[2] ?? "0") * 86_400 + h * 3_600 + mi * 60 + s + (m[6] ? Number(`0.${m[6]}`) : 0);
    return m[1] ? -total : total;
  }

  it("agrees on 20 000 generated and mangled spans", () => {
    const next = random(42);
    const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
    const alphabet = "0123456789.:- x";
    for (let k = 0; k < 20_000; k++) {
      let ticks = "";
      for (let i = int(0, 8); i > 0; i--) ticks += String(int(0, 9));
      let text = `${int(0, 3) === 0 ? "-" : ""}${int(0, 2) === 0 ? `${int(0, 400)}.` : ""}${String(
        int(0, 25),
      ).padStart(int(1, 2), "0")}:${String(int(0, 61)).padStart(2, "0")}:${String(
        int(0, 61),
      ).padStart(2, "0")}${ticks === "" ? "" : `.${ticks}`}`;
      if (k % 2 === 1) {
        const at = int(0, text.length - 1);
        const char = alphabet[int(0, alphabet.length - 1)] ?? "";
        text = text.slice(0, at) + (k % 4 === 1 ? char : "") + text.slice(at + 1);
      }
      assert.equal(parseTimeSpan(text), referenceSeconds(text), JSON.stringify(text));
    }
  });
});
