// The HTTP transport against a real receiver: TLS with a CA file (verification on by default,
// an explicit skip), request timeouts, and stop() abandoning an in-flight request safely.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { type OtlpReceiver, startOtlpReceiver } from "../helpers/otlp-receiver.ts";
import { makeTestCert, type TestCert } from "../helpers/self-signed-cert.ts";
import { type Harness, startHarness, TEST_START_MS, until } from "./fixtures/harness.ts";
import { eventSeries, poll } from "./fixtures/poll-data.ts";

function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("OTLP over TLS", { skip: hasOpenssl() ? false : "openssl is not installed" }, () => {
  let cert: TestCert;
  let dir: string;
  let caFile: string;
  let receiver: OtlpReceiver;
  let harness: Harness | null = null;

  before(async () => {
    cert = makeTestCert();
    caFile = cert.certFile;
    dir = dirname(caFile);
    receiver = await startOtlpReceiver({
      tls: { cert: readFileSync(caFile), key: readFileSync(cert.keyFile) },
    });
  });
  afterEach(async () => {
    await harness?.close();
    harness = null;
  });
  after(async () => {
    await receiver.close();
    cert.cleanup();
  });

  test("a self-signed receiver is refused without its CA (reason tls), kept in the outbox", async () => {
    harness = await startHarness({ endpoint: receiver.url });
    harness.commit(poll({ newEvents: eventSeries(2, TEST_START_MS - 60_000) }));
    assert.equal(await harness.pipeline.drainOnce(), 0);
    assert.equal(await harness.metric("vbo_log_export_failures_total", { reason: "tls" }), 1);
    assert.equal(await harness.metric("vbo_log_outbox_records"), 2);
  });

  test("with the CA file the records are delivered", async () => {
    harness = await startHarness({ endpoint: receiver.url, tls: { caFile } });
    harness.commit(poll({ newEvents: eventSeries(2, TEST_START_MS - 60_000) }));
    assert.equal(await harness.pipeline.drainOnce(), 2);
  });

  test("a missing CA file is a clear configuration error", async () => {
    await assert.rejects(
      startHarness({ endpoint: receiver.url, tls: { caFile: join(dir, "missing.pem") } }),
      /cannot read the OTLP endpoint's CA file .*missing\.pem: ENOENT/,
    );
  });

  test("insecureSkipVerify is an explicit opt-out", async () => {
    harness = await startHarness({ endpoint: receiver.url, tls: { insecureSkipVerify: true } });
    harness.commit(poll({ newEvents: eventSeries(2, TEST_START_MS - 60_000) }));
    assert.equal(await harness.pipeline.drainOnce(), 2);
  });
});

describe("timeouts and shutdown", () => {
  let receiver: OtlpReceiver;
  let harness: Harness | null = null;
  before(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await harness?.close();
    harness = null;
    receiver.respond(null);
  });
  after(() => receiver.close());

  test("a request node:http refuses at once (a header it cannot send) fails the pass and leaves no deadline timer behind to crash the process later", async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    harness = await startHarness({
      endpoint: receiver.url,
      timeoutMs: 60_000,
      headers: { "x-tenant": "a\r\nb" },
    });
    harness.commit(poll({ newEvents: eventSeries(2, TEST_START_MS - 60_000) }));
    const before = timers();
    assert.equal(await harness.pipeline.drainOnce(), 0);
    assert.equal(harness.outboxCount(), 2, "the records stay in the outbox");
    assert.equal(timers(), before, "no timer outlives the refused request");
  });

  test("a receiver that never answers times out and the batch is retried", async () => {
    let hung = false;
    receiver.respond(() => {
      if (hung) return null;
      hung = true;
      return { status: 200, hang: true };
    });
    harness = await startHarness({ endpoint: receiver.url, timeoutMs: 150 });
    harness.commit(poll({ newEvents: eventSeries(3, TEST_START_MS - 60_000) }));
    assert.equal(await harness.pipeline.drainOnce(), 0);
    assert.equal(await harness.metric("vbo_log_export_failures_total", { reason: "timeout" }), 1);
    assert.equal(await harness.pipeline.drainOnce(), 3);
  });

  test("timeoutMs bounds the whole request: a receiver trickling its answer times out too", {
    timeout: 10_000,
  }, async () => {
    let trickled = false;
    receiver.respond(() => {
      if (trickled) return null;
      trickled = true;
      // Each byte arrives well within timeoutMs, so an idle timeout alone never fires.
      return { status: 200, headers: { "content-type": "application/x-protobuf" }, trickleMs: 40 };
    });
    harness = await startHarness({ endpoint: receiver.url, timeoutMs: 300 });
    const h = harness;
    h.commit(poll({ newEvents: eventSeries(3, TEST_START_MS - 60_000, "s-trickle") }));
    const started = Date.now();
    const first = await Promise.race([
      h.pipeline.drainOnce(),
      new Promise<"still waiting">((resolve) => setTimeout(() => resolve("still waiting"), 3000)),
    ]);
    const elapsed = Date.now() - started;
    if (first === "still waiting") {
      // Drop the trickling connection so the test fails instead of hanging the suite.
      await receiver.down();
      await receiver.up();
    }
    assert.equal(first, 0, "the export gave up");
    assert.ok(elapsed >= 250 && elapsed < 2000, `gave up after ${elapsed} ms`);
    assert.equal(await h.metric("vbo_log_export_failures_total", { reason: "timeout" }), 1);
    assert.equal(await h.pipeline.drainOnce(), 3);
  });

  test("stop() abandons an in-flight request; its records stay in the outbox", async () => {
    receiver.respond(() => ({ status: 200, hang: true }));
    harness = await startHarness({ endpoint: receiver.url, timeoutMs: 60_000 });
    const h = harness;
    h.commit(poll({ newEvents: eventSeries(3, TEST_START_MS - 60_000, "s-stop") }));
    const before = receiver.requests.length;
    h.pipeline.start();
    await until(() => receiver.requests.length > before, 5000, "the request");
    const started = Date.now();
    await h.pipeline.stop();
    assert.ok(Date.now() - started < 1000, "stop does not wait for the receiver");
    assert.equal(await h.metric("vbo_log_outbox_records"), 3);
  });
});
