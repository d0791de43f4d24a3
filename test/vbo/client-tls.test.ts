// TLS towards VBO with a certificate chain generated at test time: the CA file is trusted, an
// unknown CA is refused with a tls error that names the fix, and the explicit skip works loudly.
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { createLogger } from "../../src/logger.ts";
import { createVboClient } from "../../src/vbo/client.ts";
import { VboError } from "../../src/vbo/errors.ts";
import { makeTestPki } from "../helpers/tls.ts";
import { fakeClock } from "./fake-clock.ts";
import { startFakeVbo } from "./fake-vbo.ts";

describe("VBO client TLS", () => {
  it("trusts a CA file, refuses an unknown CA, and skips verification only when told", async (t) => {
    const pki = makeTestPki();
    t.after(() => pki.cleanup());
    const other = makeTestPki("Some Other CA");
    t.after(() => other.cleanup());
    const clock = fakeClock();
    const vbo = await startFakeVbo({
      clock,
      sessions: 3,
      tls: { cert: pki.certPem, key: pki.keyPem },
    });
    t.after(() => vbo.close());
    assert.match(vbo.url, /^https:\/\/127\.0\.0\.1:/);
    const base = {
      url: vbo.url,
      apiVersion: "v8" as const,
      username: "admin",
      password: "p@ss w0rd!",
      clock,
    };

    const trusting = createVboClient({ ...base, tls: { caFile: pki.caFile } });
    t.after(() => trusting.close());
    assert.equal((await trusting.getRestoreSession("1")).name, "Exchange restore 1");
    const localhost = createVboClient({
      ...base,
      url: vbo.url.replace("127.0.0.1", "localhost"),
      tls: { ca: pki.caPem },
    });
    t.after(() => localhost.close());
    assert.equal((await localhost.serviceInstance()).version, "8.1.0.305");

    const before = vbo.requests.length;
    for (const tls of [undefined, { caFile: other.caFile }]) {
      const refusing = createVboClient({ ...base, ...(tls === undefined ? {} : { tls }) });
      t.after(() => refusing.close());
      await assert.rejects(refusing.serviceInstance(), (e: unknown) => {
        assert.ok(e instanceof VboError);
        assert.equal(e.reason, "tls");
        assert.match(e.message, /TLS handshake with https:\/\/127\.0\.0\.1:\d+ failed/);
        assert.match(e.message, /tls\.caFile/);
        assert.match(e.message, /tls\.insecureSkipVerify/);
        return true;
      });
      assert.equal(refusing.requestCount(), 1, "a TLS failure is not retried");
    }
    assert.equal(vbo.requests.length, before, "nothing, not even the password, reached the server");

    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on("data", (chunk: Buffer) => lines.push(chunk.toString("utf8")));
    const insecure = createVboClient({
      ...base,
      tls: { insecureSkipVerify: true },
      logger: createLogger("info", stream),
    });
    t.after(() => insecure.close());
    await new Promise((resolve) => setImmediate(resolve));
    const warnings = lines
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .filter((l) => l.level === 40);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]?.msg ?? "", /VERIFICATION IS DISABLED/);
    assert.equal((await insecure.getRestoreSession("2")).name, "Exchange restore 2");
  });
});
