// Configuration files: the documented example loads, and every invalid fixture under testdata/
// gives exactly the expected sentence naming the file and the key.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: configuration text spells ${VAR} on purpose
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/config/load.ts";

const dir = fileURLToPath(new URL("./testdata/", import.meta.url));
const env = { VBO_PASSWORD: "pw-from-env" };

function load(file: string) {
  return loadConfig({ file, env, cwd: dir });
}

test("the example from the issue loads with every key as written", () => {
  const result = load("valid.yml");
  assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
  const { config } = result;
  assert.equal(config.source, "valid.yml");
  assert.equal(config.web.host, "127.0.0.1");
  assert.equal(config.web.port, 9464);
  assert.equal(config.state.dir, `${dir}data`);
  assert.equal(config.servers.length, 2);
  const [lab, branch] = config.servers;
  assert.deepEqual(
    {
      name: lab?.name,
      url: lab?.url,
      apiVersion: lab?.apiVersion,
      username: lab?.username,
      password: lab?.password,
      tls: lab?.tls,
      pollIntervalMs: lab?.pollIntervalMs,
      lookbackMs: lab?.lookbackMs,
    },
    {
      name: "lab",
      url: "https://vbo.example:4443",
      apiVersion: "v8",
      username: "svc-monitor",
      password: "pw-from-env",
      tls: { caFile: `${dir}ca.pem`, insecureSkipVerify: false },
      pollIntervalMs: 60_000,
      lookbackMs: 7 * 86_400_000,
    },
  );
  // Defaults and a password read from a file (trailing newline dropped), trailing slash trimmed.
  assert.equal(branch?.url, "https://vbo-branch.example:4443");
  assert.equal(branch?.apiVersion, "auto");
  assert.equal(branch?.password, "file-secret-pw");
  assert.equal(branch?.passwordFile, `${dir}vbo-password`);
  assert.equal(branch?.pollIntervalMs, 60_000);
  assert.equal(config.logs.otlp.endpoint, "http://loki:3100/otlp/v1/logs");
  assert.equal(config.logs.otlp.protocol, "http/protobuf");
  assert.deepEqual(config.sharding, { index: 0, count: 1 });
  assert.equal(config.logging.level, "info");
});

const invalid: readonly (readonly [string, string])[] = [
  ["bad-api-version.yml", "servers[0].apiVersion: expected one of v6, v7, v8, auto"],
  ["bad-boolean.yml", "servers[0].tls.insecureSkipVerify: expected true or false"],
  ["bad-duration.yml", "servers[0].pollInterval: expected a duration like 30s"],
  ["short-interval.yml", "servers[0].pollInterval: must be at least 1s"],
  ["bad-listen-address.yml", "web.listenAddress: expected an address like 127.0.0.1:9853 or :9853"],
  [
    "bad-log-level.yml",
    "logging.level: expected one of trace, debug, info, warn, error, fatal, silent",
  ],
  [
    "bad-name.yml",
    "servers[0].name: expected a name of letters, digits, '.', '_', ':', '@' or '-' (at most 63 characters, no spaces)",
  ],
  ["bad-number.yml", "servers[0].eventConcurrency: expected a whole number between 1 and 64"],
  ["bad-outbox.yml", "logs.outbox.maxRecords: expected a whole number between 1000 and 100000000"],
  ["bad-protocol.yml", "logs.otlp.protocol: expected http/protobuf or http/json"],
  [
    "bad-shard.yml",
    "sharding.index: must be less than the shard count (2); replicas are numbered from 0",
  ],
  [
    "bad-url-scheme.yml",
    "servers[0].url: expected an http or https URL like https://vbo.example:4443",
  ],
  ["bad-yaml.yml", 'line 4, column 1: Missing closing "quote'],
  [
    "alias-unresolved.yml",
    "line 5, column 15: the alias *vbo-password names no anchor; set &vbo-password on a value above it, or write the value out",
  ],
  [
    "alias-self.yml",
    "line 7, column 12: the alias *lab is inside the value &lab names, which would contain itself for ever; write the value out instead",
  ],
  [
    "alias-billion.yml",
    "the YAML cannot be read: its aliases (*name) expand to too many values; write the values out instead",
  ],
  ["ca-not-pem.yml", `servers[0].tls.caFile: ${dir}not-pem.txt does not contain a PEM certificate`],
  ["duplicate-key.yml", "line 3, column 5: Map keys must be unique"],
  [
    "duplicate-names.yml",
    'servers[1].name: duplicate server name "lab" (also servers[0].name); names must be unique',
  ],
  [
    "missing-password-file.yml",
    `servers[0].passwordFile: cannot read ${dir}no-such-secret: no such file`,
  ],
  ["missing-url.yml", "servers[0].url: is required"],
  ["no-password.yml", "servers[0].password: is required (set password or passwordFile)"],
  [
    "no-servers.yml",
    "servers: at least one server is required (or set VBO_URL for a single server)",
  ],
  [
    "not-a-mapping.yml",
    "(top level): expected a mapping of keys (web, state, servers, sharding, logs, audit, logging)",
  ],
  ["otlp-bad-header.yml", 'logs.otlp.headers["X Scope"]: is not a valid HTTP header name'],
  [
    "otlp-two-auths.yml",
    "logs.otlp.bearerToken: set only one of basicAuth, bearerToken or bearerTokenFile",
  ],
  ["password-and-file.yml", "servers[0].passwordFile: set only one of password or passwordFile"],
  ["servers-not-list.yml", "servers: expected a list of servers"],
  ["unknown-key.yml", "servers[0].pollIntervl: unknown key (did you mean pollInterval?)"],
  ["unknown-top-key.yml", "metrics: unknown key"],
  [
    "unset-env.yml",
    "servers[0].password: environment variable VBO_TEST_UNSET_PASSWORD is not set (write ${VBO_TEST_UNSET_PASSWORD:-default} for a default)",
  ],
  [
    "url-credentials.yml",
    "servers[0].url: must not contain credentials (use username and password keys)",
  ],
  [
    "web-bad-hash.yml",
    'web.basicAuth.passwordHash: expected an scrypt hash like "$scrypt$ln=15,r=8,p=1$<salt>$<hash>"',
  ],
  ["web-tls-no-key.yml", "web.tls.keyFile: is required"],
  [
    "web-two-passwords.yml",
    "web.basicAuth.passwordFile: set only one of password, passwordFile or passwordHash",
  ],
];

for (const [file, message] of invalid) {
  test(`${file} is rejected with: ${message}`, () => {
    const result = load(file);
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? [] : result.errors, [`${file}: ${message}`]);
  });
}

test("aliases that name an anchor above them are read as the value they name", () => {
  const tmp = mkdtempSync(join(tmpdir(), "vbo-alias-"));
  try {
    writeFileSync(
      join(tmp, "c.yml"),
      "servers:\n  - { name: a, url: &url https://vbo.example:4443, username: &u svc, password: &p pw }\n  - { name: b, url: *url, username: *u, password: *p }\n",
    );
    const result = loadConfig({ file: "c.yml", env: {}, cwd: tmp });
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
    assert.deepEqual(
      result.config.servers.map((s) => [s.name, s.url, s.username, s.password]),
      [
        ["a", "https://vbo.example:4443", "svc", "pw"],
        ["b", "https://vbo.example:4443", "svc", "pw"],
      ],
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("a configuration file that does not exist is one clear error", () => {
  const result = load("no-such-config.yml");
  assert.deepEqual(result.ok ? [] : result.errors, [
    "no-such-config.yml: cannot read the configuration file: no such file",
  ]);
});

test("several problems in one file are all reported", () => {
  const result = loadConfig({
    file: "unknown-key.yml",
    env: {},
    cwd: dir,
    overrides: { listenAddress: "nowhere" },
  });
  assert.deepEqual(result.ok ? [] : result.errors, [
    "--listen-address: expected an address like 127.0.0.1:9853 or :9853",
    "unknown-key.yml: servers[0].pollIntervl: unknown key (did you mean pollInterval?)",
  ]);
});

test("examples/config.yml is valid and sets every documented key", () => {
  const dir = fileURLToPath(new URL("../../examples/", import.meta.url));
  const secretDir = mkdtempSync(join(tmpdir(), "vbo-example-"));
  try {
    const secretFile = join(secretDir, "branch");
    writeFileSync(secretFile, "branch-pw\n");
    const result = loadConfig({
      file: "config.yml",
      env: { VBO_PASSWORD: "pw", VBO_BRANCH_PASSWORD_FILE: secretFile },
      cwd: dir,
    });
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
    assert.equal(result.config.web.port, 9853);
    assert.equal(result.config.servers[1]?.password, "branch-pw");
    assert.deepEqual(result.config.logs.otlp.headers, { "X-Scope-OrgID": "tenant-a" });
    assert.equal(result.config.web.basicAuth?.passwordHash?.startsWith("$scrypt$"), true);
  } finally {
    rmSync(secretDir, { recursive: true, force: true });
  }
});
