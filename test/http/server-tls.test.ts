// The HTTPS server refuses a certificate and key that do not match with an error naming both files,
// not OpenSSL's bare message.
import assert from "node:assert/strict";
import { test } from "node:test";
import Koa from "koa";
import { ExporterError } from "../../src/errors.ts";
import { startWebServer } from "../../src/http/server.ts";
import { makeTestCert } from "../helpers/self-signed-cert.ts";

test("a mismatched certificate and key fail start-up naming both files", async (t) => {
  const first = makeTestCert();
  const second = makeTestCert();
  t.after(() => {
    first.cleanup();
    second.cleanup();
  });
  await assert.rejects(
    startWebServer(new Koa(), {
      host: "127.0.0.1",
      port: 0,
      tls: { certFile: first.certFile, keyFile: second.keyFile },
    }),
    (error: unknown) =>
      error instanceof ExporterError &&
      error.message.includes(first.certFile) &&
      error.message.includes(second.keyFile) &&
      /key values mismatch/.test(error.message),
  );
});
