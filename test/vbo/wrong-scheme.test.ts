// A URL whose scheme does not match its port is named as such, for VBO and the OTLP endpoint alike:
// https:// against plain HTTP, and http:// against a port that speaks TLS.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { ExportError } from "../../src/logs/errors.ts";
import { createHttpTransport } from "../../src/logs/http-transport.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { createVboClient } from "../../src/vbo/client.ts";
import { VboError } from "../../src/vbo/errors.ts";
import { startOtlpReceiver } from "../helpers/otlp-receiver.ts";
import { makeTestCert } from "../helpers/self-signed-cert.ts";

const request = {
  body: new Uint8Array([1]),
  contentType: "application/x-protobuf",
  contentEncoding: "",
};

function vboClient(url: string) {
  return createVboClient({
    url,
    apiVersion: "v8",
    username: "vbo-admin",
    password: "x",
    timeoutMs: 5_000,
    maxRetries: 0,
  });
}

test("https:// against VBO's plain HTTP port says it answered in plain HTTP, not that a CA file is missing", async (t) => {
  const sim = await startSimulator({ apiVersion: "v8", historySessions: 0, ratePerMinute: 0 });
  t.after(() => sim.close());
  const url = new URL(sim.url);
  const client = vboClient(`https://${url.host}`);
  t.after(() => (client as { close?: () => void }).close?.());
  await assert.rejects(client.serviceInstance(), (e: unknown) => {
    assert.ok(e instanceof VboError);
    assert.equal(e.reason, "tls");
    assert.equal(
      e.message,
      `the VBO server at ${url.host} answered in plain HTTP, not TLS: use http://${url.host} or the port that speaks TLS (HTTPS) (POST /v8/token)`,
    );
    assert.doesNotMatch(e.message, /caFile|openssl/);
    return true;
  });
});

test("http:// against VBO's TLS port says to use https://", async (t) => {
  const cert = makeTestCert();
  t.after(() => cert.cleanup());
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 0,
    ratePerMinute: 0,
    tls: { cert: cert.certPem, key: readFileSync(cert.keyFile) },
  });
  t.after(() => sim.close());
  const url = new URL(sim.url);
  assert.equal(url.protocol, "https:");
  const client = vboClient(`http://${url.host}`);
  t.after(() => (client as { close?: () => void }).close?.());
  await assert.rejects(client.serviceInstance(), (e: unknown) => {
    assert.ok(e instanceof VboError);
    assert.match(e.message, new RegExp(`if that port speaks TLS, use https://${url.host} `));
    return true;
  });
});

test("https:// against a plain-HTTP OTLP receiver says it answered in plain HTTP", async (t) => {
  const receiver = await startOtlpReceiver();
  t.after(() => receiver.close());
  const url = new URL(receiver.url);
  const transport = createHttpTransport({
    endpoint: `https://${url.host}${url.pathname}`,
    timeoutMs: 5_000,
  });
  t.after(() => transport.close());
  await assert.rejects(transport.send(request), (e: unknown) => {
    assert.ok(e instanceof ExportError);
    assert.equal(e.reason, "tls");
    assert.match(
      e.message,
      new RegExp(
        `^the OTLP endpoint at ${url.host} answered in plain HTTP, not TLS: use http://${url.host}`,
      ),
    );
    return true;
  });
});

test("http:// against an OTLP receiver that speaks TLS says to use https://", async (t) => {
  const cert = makeTestCert();
  t.after(() => cert.cleanup());
  const server = createServer({ cert: cert.certPem, key: readFileSync(cert.keyFile) }, (_q, r) =>
    r.end(),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as AddressInfo;
  const transport = createHttpTransport({
    endpoint: `http://127.0.0.1:${port}/v1/logs`,
    timeoutMs: 5_000,
  });
  t.after(() => transport.close());
  await assert.rejects(transport.send(request), (e: unknown) => {
    assert.ok(e instanceof ExportError);
    assert.equal(e.reason, "unreachable");
    assert.match(e.message, new RegExp(`if that port speaks TLS, use https://127.0.0.1:${port}$`));
    return true;
  });
});

/** What nginx answers plain HTTP sent to its TLS port (`listen 443 ssl`), byte for byte in spirit. */
async function nginxTlsPortSpeakingHttp(t: { after: (fn: () => unknown) => void }) {
  const { createServer: createHttpServer } = await import("node:http");
  const server = createHttpServer((req, res) => {
    req.resume();
    res.writeHead(400, { "content-type": "text/html", server: "nginx" });
    res.end(
      "<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>The plain HTTP request was sent to HTTPS port</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test("http:// to a proxy's TLS port (nginx's HTTP 400) says to use https://, not that the password is wrong", async (t) => {
  const host = await nginxTlsPortSpeakingHttp(t);
  const client = vboClient(`http://${host}`);
  t.after(() => (client as { close?: () => void }).close?.());
  await assert.rejects(client.serviceInstance(), (e: unknown) => {
    assert.ok(e instanceof VboError);
    assert.notEqual(e.reason, "bad_credentials");
    assert.match(
      e.message,
      new RegExp(`^the VBO server at ${host} speaks TLS on that port .*: use https://${host}`),
    );
    return true;
  });

  const { otlpDeliver } = await import("../../src/logs/deliver.ts");
  const transport = createHttpTransport({
    endpoint: `http://${host}/otlp/v1/logs`,
    timeoutMs: 5_000,
  });
  t.after(() => transport.close());
  const outcome = await otlpDeliver(transport)(request, "", AbortSignal.timeout(5_000));
  // Every request fails alike: records wait for the endpoint to be fixed, none is dead-lettered.
  assert.equal(outcome.kind, "retry");
  assert.match(
    outcome.kind === "retry" ? outcome.message : "",
    /port speaks TLS .*use https:\/\/ in logs\.otlp\.endpoint/,
  );
});
