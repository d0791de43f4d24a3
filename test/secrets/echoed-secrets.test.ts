// A log receiver that echoes the request's credentials (Authorization, custom headers) into its
// error bodies and partial-success messages: the secrets reach no log line, no dead letter (as
// the dead-letters command prints them) and no metric; nor does a VBO certificate naming one.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { parseConfig } from "../../src/config/parse.ts";
import { createLogger } from "../../src/logger.ts";
import { startExporter } from "../../src/main.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { createVboClient } from "../../src/vbo/client.ts";
import { VboError } from "../../src/vbo/errors.ts";
import { encodePartialSuccess, startOtlpReceiver } from "../helpers/otlp-receiver.ts";
import { makeTestPki } from "../helpers/tls.ts";
import { basic, get } from "../http/request.ts";
import { fakeClock } from "../vbo/fake-clock.ts";
import { startFakeVbo } from "../vbo/fake-vbo.ts";

const cli = new URL("../../src/cli.ts", import.meta.url).pathname;
const TOKEN = "tok-3f9a1c7e5b2d";
const API_KEY = "key-8e4b6d2a0c1f";
const WEB_PASSWORD = "web-pass-5c2e9a";

test("secrets a receiver echoes never reach logs, dead letters or metrics", async (t) => {
  const simulator = await startSimulator({ apiVersion: "v8", port: 0, historySessions: 6 });
  const receiver = await startOtlpReceiver();
  const dir = mkdtempSync(join(tmpdir(), "vbo-echo-"));
  t.after(async () => {
    await receiver.close();
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let count = 0;
  receiver.respond((request) => {
    count += 1;
    const echo = `auth=${String(request.headers.authorization)} key=${String(request.headers["x-api-key"])}`;
    if (count === 1) {
      return { status: 503, headers: { "retry-after": "1" }, body: `overloaded (${echo})` };
    }
    if (count % 2 === 0) {
      return {
        status: 400,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ code: 3, message: `bad request from ${echo}` }),
      };
    }
    return {
      status: 200,
      headers: { "content-type": "application/x-protobuf" },
      body: encodePartialSuccess(1, `dropped one record sent with ${echo}`),
    };
  });

  const lines = new PassThrough();
  let logged = "";
  lines.setEncoding("utf8").on("data", (chunk: string) => {
    logged += chunk;
  });
  const seen = (pattern: RegExp) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (pattern.test(logged)) {
          lines.off("data", check);
          resolve();
        }
      };
      lines.on("data", check);
      check();
    });
  const deadLettered = seen(/moved to the dead-letter table/);
  const partial = seen(/rejected some records/);

  const result = parseConfig({
    text: `web:
  listenAddress: "127.0.0.1:0"
  basicAuth: { username: prom, password: "${WEB_PASSWORD}" }
state: { dir: ./state }
servers:
  - { name: lab, url: "${simulator.url}", username: "${simulator.username}", password: "${simulator.password}", pollInterval: 1s }
logs:
  otlp:
    endpoint: "${receiver.url}"
    bearerToken: "${TOKEN}"
    headers: { X-Api-Key: "${API_KEY}" }
    compression: none
  batch: { maxRecords: 4 }
`,
    fileName: "config.yml",
    baseDir: dir,
    cwd: dir,
    env: {},
    readFile: () => {
      throw Object.assign(new Error("none"), { code: "ENOENT" });
    },
  });
  assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
  const exporter = await startExporter({
    config: result.config,
    logger: createLogger("debug", lines),
    version: "0.0.0-test",
  });
  let metrics: string;
  try {
    await Promise.all([deadLettered, partial]);
    const response = await get(`${exporter.url}metrics`, { headers: basic("prom", WEB_PASSWORD) });
    assert.equal(response.status, 200);
    metrics = response.body;
  } finally {
    await exporter.stop();
  }
  // The receiver did see the secrets, and echoed them.
  assert.equal(receiver.requests[0]?.headers.authorization, `Bearer ${TOKEN}`);
  assert.ok(count >= 3);

  const listed = spawnSync(
    process.execPath,
    [cli, "dead-letters", "--state-dir", join(dir, "state"), "--limit", "100"],
    { encoding: "utf8" },
  );
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stdout, /bad request from auth=Bearer \[redacted\] key=\[redacted\]/);
  assert.match(logged, /dropped one record sent with auth=Bearer \[redacted\] key=\[redacted\]/);

  for (const [where, text] of [
    ["logs", logged],
    ["dead-letters output", listed.stdout + listed.stderr],
    ["/metrics", metrics],
  ] as const) {
    for (const secret of [TOKEN, API_KEY, WEB_PASSWORD, simulator.password]) {
      assert.ok(!text.includes(secret), `${where} contain the secret ${secret}`);
    }
  }
});

test("a VBO certificate that names the password: the TLS error says what failed, not the password", async (t) => {
  const password = "s3cret-pw-41f7e2";
  const pki = makeTestPki("Test VBO CA", `DNS:${password}`);
  t.after(() => pki.cleanup());
  const vbo = await startFakeVbo({
    clock: fakeClock(),
    sessions: 1,
    tls: { cert: pki.certPem, key: pki.keyPem },
  });
  t.after(() => vbo.close());
  const client = createVboClient({
    url: vbo.url.replace("127.0.0.1", "localhost"),
    apiVersion: "v8",
    username: "admin",
    password,
    tls: { ca: pki.caPem },
    clock: fakeClock(),
  });
  t.after(() => client.close());
  await assert.rejects(client.serviceInstance(), (e: unknown) => {
    assert.ok(e instanceof VboError);
    assert.equal(e.reason, "tls");
    // Node names the certificate's altnames in its message: the password is one of them here.
    assert.match(e.message, /ERR_TLS_CERT_ALTNAME_INVALID: .*altnames: DNS:\[redacted\]/);
    assert.ok(!e.message.includes(password), e.message);
    return true;
  });
});
