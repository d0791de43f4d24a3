// OTLP request headers from the file and the OTEL_EXPORTER_OTLP_*HEADERS variables: what cannot be
// sent is refused at load without echoing the value, and names merge case-insensitively, file first.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../src/config/parse.ts";
import type { ConfigResult, ExporterConfig } from "../../src/config/types.ts";
import { createHttpTransport } from "../../src/logs/http-transport.ts";
import { type OtlpReceiver, startOtlpReceiver } from "../helpers/otlp-receiver.ts";

const SERVER =
  "servers:\n  - name: a\n    url: https://vbo.example:4443\n    username: u\n    password: p\n";
const ENV_SERVER = { VBO_URL: "https://vbo.example:4443", VBO_USERNAME: "u", VBO_PASSWORD: "p" };
const SECRET = "s3cr3t-t0ken";

function load(text: string | null, env: Record<string, string>): ConfigResult {
  return parseConfig({
    text,
    fileName: text === null ? "environment" : "config.yml",
    baseDir: "/etc/vbo",
    cwd: "/srv",
    env,
    readFile: () => {
      throw Object.assign(new Error("missing"), { code: "ENOENT" });
    },
  });
}

function ok(result: ConfigResult): ExporterConfig {
  assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
  return result.config;
}

function errors(result: ConfigResult): readonly string[] {
  assert.equal(result.ok, false, "the configuration is refused");
  return result.ok ? [] : result.errors;
}

function fileWithHeaders(lines: string): string {
  return `${SERVER}logs:\n  otlp:\n    endpoint: http://loki:3100/otlp/v1/logs\n    headers:\n${lines}`;
}

describe("OTLP headers that cannot be sent are refused at load", () => {
  test("a percent-encoded CR/LF in OTEL_EXPORTER_OTLP_HEADERS names the variable and header, not the value", () => {
    const result = load(null, {
      ...ENV_SERVER,
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: "http://loki:3100/otlp/v1/logs",
      OTEL_EXPORTER_OTLP_HEADERS: `x-tenant=${SECRET}%0D%0AX-Injected:%20yes`,
    });
    assert.deepEqual(errors(result), [
      "environment: OTEL_EXPORTER_OTLP_HEADERS: header x-tenant has a value that is not allowed in an HTTP header (control characters such as CR or LF, or characters above U+00FF)",
    ]);
  });

  test("other control characters and characters a request cannot carry are refused too", () => {
    for (const encoded of ["a%00b", "a%0Ab", "a%7Fb", "%E2%82%AC"]) {
      const messages = errors(
        load(null, { ...ENV_SERVER, OTEL_EXPORTER_OTLP_LOGS_HEADERS: `Authorization=${encoded}` }),
      );
      assert.equal(messages.length, 1, encoded);
      assert.match(
        messages[0] ?? "",
        /^environment: OTEL_EXPORTER_OTLP_LOGS_HEADERS: header Authorization has a value/,
      );
    }
    // Tabs, spaces, visible ASCII and Latin-1 are fine.
    const fine = ok(load(null, { ...ENV_SERVER, OTEL_EXPORTER_OTLP_HEADERS: "x-a=t%09a b%C3%A9" }));
    assert.deepEqual(fine.logs.otlp.headers, { "x-a": "t\ta bé" });
  });

  test("a header name that is not a token is refused without echoing it", () => {
    const messages = errors(
      load(null, { ...ENV_SERVER, OTEL_EXPORTER_OTLP_HEADERS: `${SECRET}%20x=1` }),
    );
    assert.deepEqual(messages, [
      "environment: OTEL_EXPORTER_OTLP_HEADERS: a header name is not a valid HTTP header name",
    ]);
  });

  test("a CR/LF in a logs.otlp.headers value of the file names the key, not the value", () => {
    const messages = errors(
      load(fileWithHeaders(`      X-Tenant: "${SECRET}\\r\\nX-Injected: yes"\n`), {}),
    );
    assert.deepEqual(messages, [
      "config.yml: logs.otlp.headers.X-Tenant: has a value that is not allowed in an HTTP header (control characters such as CR or LF, or characters above U+00FF)",
    ]);
  });

  test("the file may not name one header twice in different letter case", () => {
    const messages = errors(
      load(fileWithHeaders("      X-Scope-OrgID: a\n      x-scope-orgid: b\n"), {}),
    );
    assert.deepEqual(messages, [
      "config.yml: logs.otlp.headers.x-scope-orgid: names the same header as another key (header names ignore letter case)",
    ]);
  });

  test("a bearer token that cannot go into an Authorization header is refused without showing it", () => {
    const file = `${SERVER}logs:\n  otlp:\n    endpoint: http://loki:3100/otlp/v1/logs\n    bearerToken: "${SECRET}\\r\\nX: y"\n`;
    const messages = errors(load(file, {}));
    assert.equal(messages.length, 1);
    assert.match(
      messages[0] ?? "",
      /logs\.otlp\.bearerToken: the token has a value that is not allowed/,
    );
    assert.ok(!(messages[0] ?? "").includes(SECRET));
  });

  test("no refusal ever carries the secret", () => {
    const results = [
      load(null, { ...ENV_SERVER, OTEL_EXPORTER_OTLP_HEADERS: `a=${SECRET}%0A` }),
      load(null, { ...ENV_SERVER, OTEL_EXPORTER_OTLP_HEADERS: `${SECRET}%0A=1` }),
      load(fileWithHeaders(`      Authorization: "Bearer ${SECRET}\\n"\n`), {}),
    ];
    for (const result of results) assert.ok(!errors(result).join("\n").includes(SECRET));
  });
});

describe("OTLP headers merge case-insensitively", () => {
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  /** The headers the receiver sees when the configured headers are sent. */
  async function sent(config: ExporterConfig): Promise<Record<string, unknown>> {
    const transport = createHttpTransport({
      endpoint: receiver.url,
      headers: config.logs.otlp.headers,
      timeoutMs: 2000,
    });
    try {
      const before = receiver.requests.length;
      await transport.send({
        body: new Uint8Array(0),
        contentType: "application/x-protobuf",
        contentEncoding: "",
      });
      return receiver.requests[before]?.headers ?? {};
    } finally {
      transport.close();
    }
  }

  test("the file's header wins over the environment's in any letter case", async () => {
    const config = ok(
      load(fileWithHeaders("      X-Scope-OrgID: from-file\n"), {
        OTEL_EXPORTER_OTLP_HEADERS: "x-scope-orgid=from-env,x-other=env",
      }),
    );
    assert.deepEqual(config.logs.otlp.headers, { "X-Scope-OrgID": "from-file", "x-other": "env" });
    const headers = await sent(config);
    assert.equal(headers["x-scope-orgid"], "from-file");
    assert.equal(headers["x-other"], "env");
  });

  test("OTEL_EXPORTER_OTLP_LOGS_HEADERS wins over OTEL_EXPORTER_OTLP_HEADERS in any letter case", async () => {
    const config = ok(
      load(null, {
        ...ENV_SERVER,
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: "http://loki:3100/otlp/v1/logs",
        OTEL_EXPORTER_OTLP_HEADERS: "X-Scope-OrgID=generic,x-a=1",
        OTEL_EXPORTER_OTLP_LOGS_HEADERS: "x-scope-orgid=tenant%20a",
      }),
    );
    assert.deepEqual(config.logs.otlp.headers, { "x-a": "1", "x-scope-orgid": "tenant a" });
    assert.equal((await sent(config))["x-scope-orgid"], "tenant a");
  });
});
