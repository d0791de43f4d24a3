// The web server picks up a renewed TLS certificate without a restart, and keeps serving the
// previous one when the new files are broken (half-written or mismatched).
import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import { Writable } from "node:stream";
import { test } from "node:test";
import { Registry } from "prom-client";
import { createApp } from "../../src/http/app.ts";
import { startWebServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/logger.ts";
import { makeTestCert } from "../helpers/self-signed-cert.ts";
import { get } from "./request.ts";

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const trusts = (url: string, ca: string) =>
  get(`${url}healthz`, { ca }).then(
    (reply) => reply.status === 200,
    () => false,
  );

test("a renewed web TLS certificate is served without a restart; a broken one is refused", async (t) => {
  const first = makeTestCert();
  const renewed = makeTestCert();
  t.after(() => {
    first.cleanup();
    renewed.cleanup();
  });
  const lines: string[] = [];
  const logger = createLogger(
    "trace",
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        callback();
      },
    }),
  );
  const app = createApp({
    registry: new Registry(),
    statuses: () => [],
    recentSessions: () => [],
    ready: () => ({ ready: true, reasons: [] }),
    version: "test",
    basicAuth: null,
    logger,
    now: () => Date.now(),
  });
  const server = await startWebServer(app, {
    host: "127.0.0.1",
    port: 0,
    tls: { certFile: first.certFile, keyFile: first.keyFile },
    tlsReloadIntervalMs: 20,
    logger,
  });
  t.after(() => server.close());

  assert.equal(await trusts(server.url, first.certPem), true);
  assert.equal(await trusts(server.url, renewed.certPem), false);

  // The renewal replaces both files in place.
  copyFileSync(renewed.keyFile, first.keyFile);
  copyFileSync(renewed.certFile, first.certFile);
  await eventually(() => trusts(server.url, renewed.certPem), "the renewed certificate");
  assert.equal(await trusts(server.url, first.certPem), false, "the old one is gone");
  assert.ok(lines.some((line) => line.includes("web TLS certificate reloaded")));

  // A broken key: refused once, with a warning, and the renewed certificate is still served.
  writeFileSync(first.keyFile, "-----BEGIN PRIVATE KEY-----\nnot a key\n");
  await eventually(
    async () => lines.some((line) => line.includes("not reloaded")),
    "the warning about the broken key",
  );
  // Three more checks of the same broken files, seen in the log, must not warn again.
  const warnedAt = lines.findIndex((line) => line.includes("not reloaded"));
  await eventually(
    async () => lines.slice(warnedAt).filter((line) => line.includes("unchanged")).length >= 3,
    "three checks after the warning",
  );
  assert.equal(lines.filter((line) => line.includes("not reloaded")).length, 1, "warned once");
  assert.equal(await trusts(server.url, renewed.certPem), true);
  assert.ok(!lines.join("\n").includes("BEGIN"), "no key material in the log");
});
