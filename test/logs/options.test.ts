// Log pipeline option validation, retry delays and which receiver answers are retried.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { retryDelayMs } from "../../src/logs/backoff.ts";
import { classifyResponse, rejectionReason } from "../../src/logs/export-outcome.ts";
import { resolveLogsOptions } from "../../src/logs/options.ts";

describe("logs options", () => {
  test("credentials in the endpoint URL are refused without echoing them", () => {
    assert.throws(
      () =>
        resolveLogsOptions({
          endpoint: "http://u:hunter2@loki/otlp/v1/logs",
          protocol: "http/json",
        }),
      (error: unknown) =>
        error instanceof Error &&
        /must not contain credentials/.test(error.message) &&
        !error.message.includes("hunter2"),
    );
  });
});

describe("retry policy", () => {
  test("exponential backoff with jitter, capped; a longer Retry-After wins", () => {
    assert.equal(
      retryDelayMs(1, null, 1000, 60_000, () => 0),
      500,
    );
    assert.equal(
      retryDelayMs(1, null, 1000, 60_000, () => 1),
      1000,
    );
    assert.equal(
      retryDelayMs(4, null, 1000, 60_000, () => 1),
      8000,
    );
    assert.equal(
      retryDelayMs(40, null, 1000, 60_000, () => 1),
      60_000,
    );
    assert.equal(
      retryDelayMs(3, 7000, 1000, 60_000, () => 1),
      7000,
    );
    assert.equal(retryDelayMs(3, 10 * 3_600_000, 1000, 60_000), 15 * 60_000);
    assert.equal(
      retryDelayMs(5, 1000, 1000, 60_000, () => 1),
      16_000,
      "a shorter Retry-After never shortens the backoff",
    );
    assert.equal(
      retryDelayMs(2, 0, 1000, 60_000, () => 1),
      2000,
    );
  });

  test("which answers are retried and which are bisected", () => {
    for (const status of [429, 408, 500, 502, 503, 504, 401, 403, 404]) {
      assert.equal(classifyResponse(status, null, "", null).kind, "retry", `HTTP ${status}`);
    }
    for (const status of [400, 413, 422]) {
      assert.equal(classifyResponse(status, null, "", null).kind, "rejected", `HTTP ${status}`);
    }
    assert.equal(classifyResponse(204, null, "", null).kind, "delivered");
    for (const status of [301, 302, 307, 308]) {
      const redirect = classifyResponse(status, null, "", null);
      assert.equal(redirect.kind, "retry", `HTTP ${status}`);
      assert.equal(redirect.kind === "retry" && redirect.reason, "redirect");
      assert.match(redirect.kind === "retry" ? redirect.message : "", /set logs\.otlp\.endpoint/);
    }
    assert.equal(
      rejectionReason(400, "entry too far behind, oldest acceptable timestamp is"),
      "out_of_order",
    );
    assert.equal(rejectionReason(400, "has timestamp too new"), "too_new");
    assert.equal(rejectionReason(413, ""), "too_large");
    assert.equal(
      rejectionReason(400, "stream '{}' has structured metadata too large: '70000' bytes"),
      "too_large",
    );
    const disallowed =
      "stream '{}' includes structured metadata, but this feature is disallowed. Please see `limits_config.structured_metadata`";
    assert.equal(classifyResponse(400, null, disallowed, null).kind, "retry");
  });
});
