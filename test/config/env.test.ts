// The environment as configuration: the single-server case, OpenTelemetry variables, ${VAR}
// interpolation, precedence (flags > file > environment) and errors that name the variable.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: configuration text spells ${VAR} on purpose
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseOtelHeaders } from "../../src/config/env.ts";
import { interpolateString } from "../../src/config/interpolate.ts";
import { type ParseInput, parseConfig } from "../../src/config/parse.ts";
import type { ConfigResult, ExporterConfig } from "../../src/config/types.ts";

const files: Record<string, string> = {
  "/run/secrets/vbo": "secret-from-file\n",
  "/etc/ssl/vbo-ca.pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
};

function readFile(path: string): string {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error("missing"), { code: "ENOENT" });
  return text;
}

function parse(text: string | null, env: Record<string, string>, extra: Partial<ParseInput> = {}) {
  return parseConfig({
    text,
    fileName: text === null ? "environment" : "config.yml",
    baseDir: "/etc/vbo",
    cwd: "/srv",
    env,
    readFile,
    ...extra,
  });
}

function ok(result: ConfigResult): ExporterConfig {
  assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
  return result.config;
}

function errors(result: ConfigResult): readonly string[] {
  assert.equal(result.ok, false);
  return result.ok ? [] : result.errors;
}

const minimalFile = `servers:
  - name: lab
    url: https://vbo.example:4443
    username: svc
    password: pw
`;

test("VBO_* variables alone describe one server, named after the URL's host", () => {
  const config = ok(
    parse(null, {
      VBO_URL: "https://vbo.example.com:4443",
      VBO_USERNAME: "svc-monitor",
      VBO_PASSWORD_FILE: "/run/secrets/vbo",
      VBO_API_VERSION: "v7",
      VBO_INSECURE_SKIP_VERIFY: "true",
      VBO_CA_FILE: "/etc/ssl/vbo-ca.pem",
      VBO_POLL_INTERVAL: "15s",
      VBO_LOOKBACK: "2d",
      WEB_LISTEN_ADDRESS: "0.0.0.0:9999",
      STATE_DIR: "state",
      SHARD_INDEX: "1",
      SHARD_COUNT: "3",
      LOG_LEVEL: "debug",
    }),
  );
  assert.equal(config.source, "environment");
  assert.equal(config.servers.length, 1);
  const server = config.servers[0];
  assert.equal(server?.name, "vbo.example.com");
  assert.equal(server?.url, "https://vbo.example.com:4443");
  assert.equal(server?.username, "svc-monitor");
  assert.equal(server?.password, "secret-from-file");
  assert.equal(server?.apiVersion, "v7");
  assert.deepEqual(server?.tls, { caFile: "/etc/ssl/vbo-ca.pem", insecureSkipVerify: true });
  assert.equal(server?.pollIntervalMs, 15_000);
  assert.equal(server?.lookbackMs, 2 * 86_400_000);
  assert.equal(config.web.host, "0.0.0.0");
  assert.equal(config.web.port, 9999);
  // Relative paths in the environment are relative to the working directory.
  assert.equal(config.state.dir, "/srv/state");
  assert.deepEqual(config.sharding, { index: 1, count: 3 });
  assert.equal(config.logging.level, "debug");
});

test("VBO_SERVER_NAME names the single server", () => {
  const config = ok(
    parse(null, {
      VBO_URL: "https://10.0.0.5:4443",
      VBO_SERVER_NAME: "hq",
      VBO_USERNAME: "u",
      VBO_PASSWORD: "p",
    }),
  );
  assert.equal(config.servers[0]?.name, "hq");
});

test("errors from the environment name the variable, not a key", () => {
  assert.deepEqual(
    errors(parse(null, { VBO_URL: "https://h:4443", VBO_POLL_INTERVAL: "soon", SHARD_COUNT: "2" })),
    [
      "environment: VBO_USERNAME: is required",
      "environment: VBO_POLL_INTERVAL: expected a duration like 30s",
      "environment: SHARD_INDEX: is required",
      "environment: VBO_PASSWORD: is required (set VBO_PASSWORD or VBO_PASSWORD_FILE)",
    ],
  );
  assert.deepEqual(errors(parse(null, { VBO_URL: "https://h:4443", VBO_USERNAME: "u" })), [
    "environment: VBO_PASSWORD: is required (set VBO_PASSWORD or VBO_PASSWORD_FILE)",
  ]);
  assert.deepEqual(
    errors(parse(null, { VBO_URL: "vbo.example", VBO_USERNAME: "u", VBO_PASSWORD: "p" })),
    ["environment: VBO_URL: expected an http or https URL like https://vbo.example:4443"],
  );
});

test("OTEL_EXPORTER_OTLP_* variables configure the log endpoint as OpenTelemetry users expect", () => {
  const base = { VBO_URL: "https://h:4443", VBO_USERNAME: "u", VBO_PASSWORD: "p" };
  const generic = ok(
    parse(null, {
      ...base,
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://loki:3100/otlp/",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_HEADERS: "X-Scope-OrgID=tenant%201,Authorization=Bearer%20abc",
      OTEL_EXPORTER_OTLP_TIMEOUT: "2500",
      OTEL_EXPORTER_OTLP_COMPRESSION: "none",
      OTEL_EXPORTER_OTLP_CERTIFICATE: "/etc/ssl/vbo-ca.pem",
    }),
  ).logs.otlp;
  assert.equal(generic.endpoint, "http://loki:3100/otlp/v1/logs");
  assert.equal(generic.protocol, "http/json");
  assert.deepEqual(generic.headers, { "X-Scope-OrgID": "tenant 1", Authorization: "Bearer abc" });
  assert.equal(generic.timeoutMs, 2500);
  assert.equal(generic.compression, "none");
  assert.equal(generic.tls.caFile, "/etc/ssl/vbo-ca.pem");

  // The logs-specific variables win over the generic ones; the endpoint is used as is.
  const specific = ok(
    parse(null, {
      ...base,
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: "http://loki:3100/otlp/v1/logs",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_HEADERS: "X-Scope-OrgID=a,X-Other=b",
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: "X-Scope-OrgID=logs",
    }),
  ).logs.otlp;
  assert.equal(specific.endpoint, "http://loki:3100/otlp/v1/logs");
  assert.equal(specific.protocol, "http/protobuf");
  assert.deepEqual(specific.headers, { "X-Scope-OrgID": "logs", "X-Other": "b" });

  assert.deepEqual(errors(parse(null, { ...base, OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "grpc" })), [
    "environment: OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: grpc is not supported; use http/protobuf or http/json",
  ]);
  assert.deepEqual(errors(parse(null, { ...base, OTEL_EXPORTER_OTLP_HEADERS: "novalue" })), [
    "environment: OTEL_EXPORTER_OTLP_HEADERS: expected comma-separated key=value pairs",
  ]);
});

test("with a file, the file wins and the environment fills in what it leaves out", () => {
  const config = ok(
    parse(`web: { listenAddress: ":9100" }\n${minimalFile}`, {
      WEB_LISTEN_ADDRESS: "127.0.0.1:1",
      STATE_DIR: "/var/lib/from-env",
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: "http://loki:3100/otlp/v1/logs",
    }),
  );
  assert.equal(config.web.listenAddress, ":9100");
  assert.equal(config.web.host, undefined);
  assert.equal(config.state.dir, "/var/lib/from-env");
  assert.equal(config.logs.otlp.endpoint, "http://loki:3100/otlp/v1/logs");
});

test("the file's logs.otlp settings win over the OTEL_EXPORTER_OTLP_* variables", () => {
  const config = ok(
    parse(
      `${minimalFile}logs:\n  otlp:\n    endpoint: http://file:3100/otlp/v1/logs\n    timeout: 2s\n    headers: { b: config }\n`,
      {
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: "http://env:3100/otlp/v1/logs",
        OTEL_EXPORTER_OTLP_LOGS_HEADERS: "a=env,b=env",
        OTEL_EXPORTER_OTLP_TIMEOUT: "5000",
        OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: "none",
      },
    ),
  ).logs.otlp;
  assert.equal(config.endpoint, "http://file:3100/otlp/v1/logs");
  assert.deepEqual(config.headers, { a: "env", b: "config" });
  assert.equal(config.timeoutMs, 2000);
  assert.equal(config.compression, "none");
});

test("flags win over the file and the environment", () => {
  const config = ok(
    parse(
      `web: { listenAddress: ":9100" }\nstate: { dir: ./d }\n${minimalFile}`,
      {},
      {
        overrides: { listenAddress: "127.0.0.1:0", stateDir: "/tmp/x", logLevel: "warn" },
      },
    ),
  );
  assert.equal(config.web.port, 0);
  assert.equal(config.state.dir, "/tmp/x");
  assert.equal(config.logging.level, "warn");
  assert.deepEqual(errors(parse(minimalFile, {}, { overrides: { logLevel: "loud" } })), [
    "--log-level: expected one of trace, debug, info, warn, error, fatal, silent",
  ]);
});

test("servers from both the file and VBO_URL is an error rather than a silent choice", () => {
  assert.deepEqual(errors(parse(minimalFile, { VBO_URL: "https://other:4443" })), [
    "config.yml: servers: servers are defined both here and by VBO_URL; remove one of them",
  ]);
});

test("relative paths in the file resolve against the file's directory", () => {
  const config = ok(parse(`state: { dir: data }\n${minimalFile}`, {}));
  assert.equal(config.state.dir, "/etc/vbo/data");
});

test("${VAR} interpolation: defaults, escapes, values that would break YAML", () => {
  const env = { A: "alpha", EMPTY: "", QUOTE: 'he said "hi": # not a comment' };
  assert.deepEqual(interpolateString("x-${A}-y", env), { ok: true, value: "x-alpha-y" });
  assert.deepEqual(interpolateString("${MISSING:-fallback}", env), { ok: true, value: "fallback" });
  assert.deepEqual(interpolateString("${EMPTY:-fallback}", env), { ok: true, value: "fallback" });
  assert.deepEqual(interpolateString("${EMPTY}", env), { ok: true, value: "" });
  assert.deepEqual(interpolateString("cost $$5 and $HOME", env), {
    ok: true,
    value: "cost $5 and $HOME",
  });
  assert.deepEqual(interpolateString("${A", env), {
    ok: false,
    message: 'unterminated "${" (write "$$" for a literal "$")',
  });
  assert.deepEqual(interpolateString("${1BAD}", env), {
    ok: false,
    message: '"${1BAD}" is not a valid environment variable reference',
  });
  const config = ok(parse(minimalFile.replace("password: pw", "password: ${QUOTE}"), env));
  assert.equal(config.servers[0]?.password, env.QUOTE);
  const numeric = ok(
    parse(`${minimalFile}    eventConcurrency: \${CONC}\n    dropClientHostLabel: \${DROP}\n`, {
      CONC: "8",
      DROP: "true",
    }),
  );
  assert.equal(numeric.servers[0]?.eventConcurrency, 8);
  assert.equal(numeric.servers[0]?.dropClientHostLabel, true);
});

test("OTEL header lists decode percent-encoding and reject malformed pairs", () => {
  assert.deepEqual(parseOtelHeaders("a=1, b = x%3Dy ,"), { a: "1", b: "x=y" });
  assert.equal(parseOtelHeaders("=v"), null);
  assert.equal(parseOtelHeaders("a=%E0%A4%A"), null);
});
