// The Koa app over real loopback HTTP: routes, readiness, escaping of hostile values, basic auth,
// TLS, and errors that never leak a stack trace.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Counter, Registry } from "prom-client";
import { hashPassword } from "../../src/config/password-hash.ts";
import { type AppDeps, createApp, type Readiness } from "../../src/http/app.ts";
import { startWebServer, type WebServer } from "../../src/http/server.ts";
import type { RecentSession, ServerStatus } from "../../src/pipeline/status.ts";
import { makeTestCert } from "../helpers/self-signed-cert.ts";
import { basic, get } from "./request.ts";

const NOW = Date.parse("2026-05-04T10:00:00Z");

const hostile = `Contoso "Müller & Søn" <script>alert('x')</script> 株式会社`;

function status(overrides: Partial<ServerStatus> = {}): ServerStatus {
  return {
    server: "lab",
    url: "https://vbo.example:4443",
    apiVersion: "v8",
    serverVersion: "8.1.0.305",
    up: true,
    polls: 3,
    lastPollStartedAt: NOW - 5_000,
    lastSuccessAt: NOW - 4_000,
    lastError: null,
    ...overrides,
  };
}

const session: RecentSession = {
  server: "lab",
  id: "0b7c0b9e-1111-2222-3333-444455556666",
  organization: hostile,
  restoreType: "exchange",
  clientHost: "BXYDEV01",
  initiatedBy: "CONTOSO\\<b>admin</b>",
  creationTime: "2026-05-04T09:58:00.1234567Z",
  endTime: "2026-05-04T09:59:00Z",
  state: "Stopped",
  result: "Success",
  eventCount: 7,
};

function deps(overrides: Partial<AppDeps> = {}): AppDeps {
  const registry = new Registry();
  new Counter({
    name: "vbo_test_total",
    help: "A test counter.",
    labelNames: ["organization"],
    registers: [registry],
  })
    .labels(hostile)
    .inc(2);
  return {
    registry,
    statuses: () => [status()],
    recentSessions: (limit) => [session].slice(0, limit),
    ready: () => ({ ready: true }),
    version: "1.2.3",
    now: () => NOW,
    ...overrides,
  };
}

async function serve(d: AppDeps): Promise<WebServer> {
  return startWebServer(createApp(d), { host: "127.0.0.1", port: 0, tls: null });
}

let plain: WebServer;
let readiness: Readiness = { ready: false, reason: "server lab has not been polled yet" };

before(async () => {
  plain = await serve(deps({ ready: () => readiness }));
});
after(() => plain.close());

test("/metrics serves the registry in the Prometheus text format", async () => {
  const reply = await get(`${plain.url}metrics`);
  assert.equal(reply.status, 200);
  assert.equal(reply.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  assert.match(reply.body, /# TYPE vbo_test_total counter/);
  // prom-client escapes the quote; the rest of the UTF-8 passes through.
  assert.ok(reply.body.includes('vbo_test_total{organization="Contoso \\"Müller & Søn\\"'));
});

test("/healthz answers 200 while the process is up", async () => {
  const reply = await get(`${plain.url}healthz`);
  assert.equal(reply.status, 200);
  assert.equal(reply.body, "ok\n");
});

test("/readyz is 503 with the reason until ready, then 200", async () => {
  readiness = { ready: false, reason: "server lab has not been polled yet" };
  const before = await get(`${plain.url}readyz`);
  assert.equal(before.status, 503);
  assert.equal(before.body, "not ready: server lab has not been polled yet\n");
  readiness = { ready: true };
  const afterReady = await get(`${plain.url}readyz`);
  assert.equal(afterReady.status, 200);
  assert.equal(afterReady.body, "ready\n");
});

test("the landing page shows servers and sessions with every value escaped", async () => {
  const reply = await get(plain.url);
  assert.equal(reply.status, 200);
  assert.equal(reply.headers["content-type"], "text/html; charset=utf-8");
  assert.ok(reply.headers["content-security-policy"]?.includes("default-src 'none'"));
  const html = reply.body;
  assert.equal(html.match(/<script/g)?.length, 1, "the page's own script, no markup from data");
  assert.ok(!html.includes("alert('x')"));
  assert.ok(!html.includes("<b>admin"));
  assert.ok(
    html.includes(
      "Contoso &quot;Müller &amp; Søn&quot; &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; 株式会社",
    ),
  );
  assert.ok(html.includes("CONTOSO\\&lt;b&gt;admin&lt;/b&gt;"));
  for (const text of [
    "BXYDEV01",
    "exchange",
    "Success",
    "8.1.0.305",
    "v8",
    "https://vbo.example:4443",
  ]) {
    assert.ok(html.includes(text), text);
  }
  assert.match(html, /<a href="metrics">/);
  assert.match(html, /5s ago/);
});

test("the landing page shows a server that is down with its error, and one not yet polled", async () => {
  const server = await serve(
    deps({
      statuses: () => [
        status({
          server: "down-one",
          up: false,
          lastError: { reason: "tls", message: "certificate <has> expired", at: NOW - 60_000 },
        }),
        status({
          server: "fresh",
          up: false,
          polls: 0,
          lastPollStartedAt: null,
          lastSuccessAt: null,
        }),
      ],
      recentSessions: () => [],
    }),
  );
  try {
    const html = (await get(server.url)).body;
    assert.match(html, /<td>down-one<\/td>.*<td class="down">down<\/td>/s);
    assert.ok(html.includes("tls: certificate &lt;has&gt; expired"));
    assert.match(html, /<td>fresh<\/td>.*<td class="pending">pending<\/td>/s);
    assert.match(html, /No restore sessions seen yet/);
  } finally {
    await server.close();
  }
});

test("unknown paths are 404, other methods 405", async () => {
  const missing = await get(`${plain.url}admin/../etc/passwd`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body, "404 page not found\n");
  const post = await get(`${plain.url}metrics`, { method: "POST" });
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, "GET, HEAD");
});

test("a failing handler answers 500 without the message or stack", async () => {
  const server = await serve(
    deps({
      statuses: () => {
        throw new Error("secret internal detail at /srv/app.ts:12");
      },
    }),
  );
  try {
    const reply = await get(server.url);
    assert.equal(reply.status, 500);
    assert.equal(reply.body, "internal server error\n");
  } finally {
    await server.close();
  }
});

test("basic auth with a plain password guards everything but /healthz", async () => {
  const server = await serve(
    deps({ basicAuth: { username: "prom", password: "s3cret pw", passwordHash: null } }),
  );
  try {
    const none = await get(`${server.url}metrics`);
    assert.equal(none.status, 401);
    assert.equal(
      none.headers["www-authenticate"],
      'Basic realm="vbo-restore-exporter", charset="UTF-8"',
    );
    assert.equal(
      (await get(`${server.url}metrics`, { headers: basic("prom", "wrong") })).status,
      401,
    );
    assert.equal(
      (await get(`${server.url}metrics`, { headers: basic("other", "s3cret pw") })).status,
      401,
    );
    assert.equal((await get(server.url, { headers: { authorization: "Bearer x" } })).status, 401);
    assert.equal(
      (await get(`${server.url}metrics`, { headers: basic("prom", "s3cret pw") })).status,
      200,
    );
    assert.equal((await get(server.url, { headers: basic("prom", "s3cret pw") })).status, 200);
    assert.equal((await get(`${server.url}readyz`)).status, 401);
    assert.equal((await get(`${server.url}healthz`)).status, 200);
  } finally {
    await server.close();
  }
});

test("basic auth with an scrypt hash", async () => {
  const passwordHash = await hashPassword("hashed-pw", 10);
  const server = await serve(
    deps({ basicAuth: { username: "prom", password: null, passwordHash } }),
  );
  try {
    assert.equal(
      (await get(`${server.url}metrics`, { headers: basic("prom", "nope") })).status,
      401,
    );
    for (let i = 0; i < 2; i++) {
      const ok = await get(`${server.url}metrics`, { headers: basic("prom", "hashed-pw") });
      assert.equal(ok.status, 200);
    }
    // A cached success for one user name does not open the door for another.
    assert.equal(
      (await get(`${server.url}metrics`, { headers: basic("eve", "hashed-pw") })).status,
      401,
    );
  } finally {
    await server.close();
  }
});

test("TLS for the web endpoints with a certificate made by openssl", async () => {
  const cert = makeTestCert();
  const server = await startWebServer(createApp(deps()), {
    host: "127.0.0.1",
    port: 0,
    tls: { certFile: cert.certFile, keyFile: cert.keyFile },
  });
  try {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const reply = await get(`${server.url}metrics`, { ca: cert.certPem });
    assert.equal(reply.status, 200);
    assert.match(reply.body, /vbo_test_total/);
    // Without trusting the certificate, the client refuses (verification stays on).
    await assert.rejects(get(`${server.url}metrics`), /self-signed|self signed/);
  } finally {
    await server.close();
    cert.cleanup();
  }
});

test("listening on a taken port is a clear error", async () => {
  await assert.rejects(
    startWebServer(createApp(deps()), { host: "127.0.0.1", port: plain.port, tls: null }),
    (e: unknown) => {
      const message = e instanceof Error ? e.message : "";
      assert.match(message, /^cannot listen on 127\.0\.0\.1:\d+: port \d+ is already in use/);
      assert.match(
        message,
        /choose another address with --listen-address \(web\.listenAddress, WEB_LISTEN_ADDRESS\)/,
      );
      return true;
    },
  );
});
