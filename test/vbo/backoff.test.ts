// Pause lengths: full-jitter exponential backoff and Retry-After in both of its forms.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseHttpDate } from "../../src/http-date.ts";
import { parseRetryAfter } from "../../src/retry-after.ts";
import { backoffDelayMs } from "../../src/vbo/backoff.ts";

describe("backoff", () => {
  it("draws between zero and an exponentially growing, capped ceiling", () => {
    assert.equal(
      backoffDelayMs(0, () => 0),
      0,
    );
    assert.equal(
      backoffDelayMs(0, () => 0.5),
      250,
    );
    assert.equal(
      backoffDelayMs(3, () => 0.5),
      2_000,
    );
    assert.equal(
      backoffDelayMs(20, () => 0.5),
      15_000,
    );
    for (let attempt = 0; attempt < 10; attempt++) {
      const d = backoffDelayMs(attempt, Math.random);
      assert.ok(d >= 0 && d < Math.min(30_000, 500 * 2 ** attempt));
    }
  });

  it("reads Retry-After as whole seconds or as an HTTP-date in the future, and ignores junk", () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    assert.equal(parseRetryAfter("7", now), 7_000);
    assert.equal(parseRetryAfter(" 7 ", now), 7_000);
    assert.equal(parseRetryAfter(["2"], now), 2_000);
    assert.equal(parseRetryAfter(new Date(now + 30_000).toUTCString(), now), 30_000);
    assert.equal(parseRetryAfter("Thursday, 01-Jan-26 12:00:30 GMT", now), 30_000);
    assert.equal(parseRetryAfter("Thu Jan  1 12:00:30 2026", now), 30_000);
    for (const unusable of [
      undefined,
      "",
      "soon",
      "0",
      "1.5",
      "-3",
      "1e3",
      new Date(now - 30_000).toUTCString(),
      "Thu, 01 Jan 1970 00:00:00 GMT",
      "2026-01-02",
      "Fri, 02 Jan 2026 12:00:00 +0000",
      "Mon, 02 Jan 2026 12:00:00 GMT",
      "Fri, 31 Feb 2026 12:00:00 GMT",
    ]) {
      assert.equal(parseRetryAfter(unusable, now), null, String(unusable));
    }
  });

  it("reads the three HTTP-date forms, nothing else", () => {
    const now = Date.UTC(2026, 0, 1);
    const expected = Date.UTC(1994, 10, 6, 8, 49, 37);
    assert.equal(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT", now), expected);
    assert.equal(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT", now), expected);
    assert.equal(parseHttpDate("Sun Nov  6 08:49:37 1994", now), expected);
    assert.equal(parseHttpDate("06 Nov 1994 08:49:37 GMT", now), null);
    assert.equal(parseHttpDate("1994-11-06T08:49:37Z", now), null);
  });
});
