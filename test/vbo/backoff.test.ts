// Pause lengths: full-jitter exponential backoff and Retry-After in both of its forms.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffDelayMs, retryAfterMs } from "../../src/vbo/backoff.ts";

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

  it("reads Retry-After as seconds or as an HTTP date, and ignores junk", () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    assert.equal(retryAfterMs("7", now), 7_000);
    assert.equal(retryAfterMs(["2"], now), 2_000);
    assert.equal(retryAfterMs(new Date(now + 30_000).toUTCString(), now), 30_000);
    assert.equal(retryAfterMs(new Date(now - 30_000).toUTCString(), now), 0);
    assert.equal(retryAfterMs(undefined, now), null);
    assert.equal(retryAfterMs("soon", now), null);
  });
});
