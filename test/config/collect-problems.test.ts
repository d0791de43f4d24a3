// check-config's promise: every problem of a configuration in one run, one sentence each, in the
// order of the file, so nobody fixes one line and runs it again to find the next.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: configuration text spells ${VAR} on purpose
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { loadConfig } from "../../src/config/load.ts";

const dir = fileURLToPath(new URL("./testdata/", import.meta.url));

function problems(text: string, env: Record<string, string> = {}): string[] {
  const tmp = mkdtempSync(join(tmpdir(), "vbo-config-"));
  try {
    writeFileSync(join(tmp, "c.yml"), text);
    const result = loadConfig({ file: "c.yml", env, cwd: tmp });
    return result.ok ? [] : [...result.errors];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

test("independent mistakes are all reported in one run, in file order", () => {
  const result = loadConfig({ file: "many-problems.yml", env: {}, cwd: dir });
  assert.equal(result.ok, false);
  assert.deepEqual(result.ok ? [] : result.errors, [
    "many-problems.yml: web.listenAddress: expected an address like 127.0.0.1:9853 or :9853",
    "many-problems.yml: servers[0].password: environment variable VBO_TEST_UNSET_MANY is not set (write ${VBO_TEST_UNSET_MANY:-default} for a default)",
    "many-problems.yml: servers[0].pollInterval: expected a duration like 30s",
    'many-problems.yml: servers[1].name: duplicate server name "lab" (also servers[0].name); names must be unique',
    `many-problems.yml: servers[1].passwordFile: cannot read ${dir}no-such-password-file: no such file`,
    "many-problems.yml: servers[2].url: expected an http or https URL like https://vbo.example:4443",
    "many-problems.yml: servers[2].pollIntervl: unknown key (did you mean pollInterval?)",
    "many-problems.yml: logs.otlp.protocol: expected http/protobuf or http/json",
  ]);
});

test("a server missing a required key does not hide the problems of the others", () => {
  const errors = problems(
    [
      "servers:",
      "  - name: a",
      "    url: https://a.example:4443",
      "    password: pw",
      "  - name: b",
      "    url: https://b.example:4443",
      "    username: u",
      "    passwordFile: /nonexistent/vbo-pw",
    ].join("\n"),
  );
  assert.deepEqual(errors, [
    "c.yml: servers[0].username: is required",
    "c.yml: servers[1].passwordFile: cannot read /nonexistent/vbo-pw: no such file",
  ]);
});

// A hash in the shape hash-password prints (its value does not matter to these rules).
const HASH = "$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
const SERVER = "servers:\n  - { name: a, url: https://a.example:4443, username: u, password: p }\n";

test("a tenant user's password is named as the key tenant users do not take, with what to do", () => {
  const errors = problems(
    `${SERVER}web:\n  basicAuth: { username: provider, passwordHash: "${HASH}" }\n  tenants:\n    - username: alice\n      password: secret\n      organizations: [contoso]\n`,
  );
  assert.ok(
    errors.includes(
      "c.yml: web.tenants[0].password: tenant users take passwordHash only (make one with vbo-restore-exporter hash-password)",
    ),
    errors.join("\n"),
  );
  assert.equal(
    errors.some((e) => e.includes("did you mean password?")),
    false,
  );
});

test("a known key in the wrong place is not suggested as itself", () => {
  const errors = problems(`${SERVER}state:\n  password: x\n`);
  assert.deepEqual(errors, ["c.yml: state.password: unknown key"]);
});

test("the web.tenants rules run in the same run as the schema errors of a tenant user", () => {
  const errors = problems(
    [
      SERVER.trimEnd(),
      "  - { name: b, url: https://b.example:4443, username: u, password: p, pollIntervl: 30s }",
      "web:",
      "  tenants:",
      "    - username: alice",
      `      passwordHash: "${HASH}"`,
      "      organizations: [contoso]",
      "    - username: alice",
      "      password: secret",
      "      organizations: [fabrikam]",
      "    - just a string",
    ].join("\n"),
  );
  assert.deepEqual(errors, [
    "c.yml: servers[1].pollIntervl: unknown key (did you mean pollInterval?)",
    "c.yml: web.tenants: needs web.basicAuth too: without it everyone would see every organization; set the provider's own user there",
    "c.yml: web.tenants[1].passwordHash: is required",
    "c.yml: web.tenants[1].username: is already the user name of web.basicAuth or of another tenant user",
    "c.yml: web.tenants[1].password: tenant users take passwordHash only (make one with vbo-restore-exporter hash-password)",
    "c.yml: web.tenants[2]: expected a tenant user (username, passwordHash, organizations)",
  ]);
});

test("a key indented deeper than its siblings is named at its own line, in plain words", () => {
  const errors = problems(
    ["servers:", "  - name: a", "    url: https://a.example:4443", "      username: u", ""].join(
      "\n",
    ),
  );
  assert.deepEqual(errors, [
    "c.yml: line 4: this line is indented deeper than line 3 above it; keys of one mapping must start in the same column",
  ]);
  const shallower = problems(["web:", '  listenAddress: ":9853"', " state: x", ""].join("\n"));
  assert.deepEqual(shallower, [
    "c.yml: line 3: this key is not in the same column as the keys before it; indent it like its siblings (with spaces)",
  ]);
  const tab = problems("servers:\n\t- name: a\n");
  assert.deepEqual(tab, [
    "c.yml: line 2: a tab indents this line; YAML indentation must be spaces",
  ]);
});

test("a directory given as the configuration file is named as such", () => {
  const result = loadConfig({ file: ".", env: {}, cwd: dir });
  assert.deepEqual(result.ok ? [] : result.errors, [
    ".: cannot read the configuration file: it is a directory; name the YAML file inside it",
  ]);
});

test("settings that work but surprise are warnings: a lookback past maxRecordAge, http:// with a password", () => {
  const tmp = mkdtempSync(join(tmpdir(), "vbo-config-"));
  try {
    writeFileSync(
      join(tmp, "c.yml"),
      [
        "servers:",
        "  - name: a",
        "    url: http://a.example:4443",
        "    username: u",
        "    password: pw",
        "    lookback: 14d",
        "logs:",
        "  maxRecordAge: 7d",
        "  otlp:",
        "    endpoint: http://loki:3100/otlp/v1/logs",
        "    bearerToken: tok-123",
      ].join("\n"),
    );
    const result = loadConfig({ file: "c.yml", env: {}, cwd: tmp });
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
    assert.equal(result.warnings.length, 3);
    assert.match(
      result.warnings[0] ?? "",
      /^c\.yml: servers\[0\]\.url: plain http:\/\/ sends the VBO password/,
    );
    assert.match(
      result.warnings[1] ?? "",
      /^c\.yml: servers\[0\]\.lookback: 14d reaches further back than logs\.maxRecordAge \(7d\): audit records older than 7d are dead-lettered as too_old/,
    );
    assert.match(
      result.warnings[2] ?? "",
      /^c\.yml: logs\.otlp\.endpoint: plain http:\/\/ sends the OTLP credentials/,
    );
    assert.ok(!result.warnings.join("\n").includes("tok-123"));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("the examples' configuration with nothing set reports every missing piece at once", () => {
  const examples = fileURLToPath(new URL("../../examples/", import.meta.url));
  const result = loadConfig({ file: "config.yml", env: {}, cwd: examples });
  assert.equal(result.ok, false);
  const errors = result.ok ? [] : result.errors;
  assert.ok(
    errors.some((e) => e.includes("VBO_PASSWORD is not set")),
    errors.join("\n"),
  );
  assert.ok(
    errors.some((e) => e.includes("servers[1].passwordFile: cannot read")),
    errors.join("\n"),
  );
  assert.equal(new Set(errors).size, errors.length, "no sentence twice");
});

test("--show prints a configuration that loads to the same settings once the masks are replaced", () => {
  const cli = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VBO_|OTEL_|WEB_|STATE_|SHARD_)/.test(k)),
  );
  const shown = spawnSync(
    process.execPath,
    [cli, "check-config", "--config", "valid.yml", "--show"],
    {
      encoding: "utf8",
      cwd: dir,
      env: { ...clean, VBO_PASSWORD: "pw-shown" },
    },
  );
  assert.equal(shown.status, 0, shown.stderr);
  // The whole of stdout is the configuration (the summary is YAML comments).
  const yamlText = shown.stdout;
  const tree = parse(yamlText) as Record<string, unknown>;
  assert.equal("pollIntervalMs" in ((tree.servers as Record<string, unknown>[])[0] ?? {}), false);
  const tmp = mkdtempSync(join(tmpdir(), "vbo-show-"));
  try {
    writeFileSync(join(tmp, "shown.yml"), yamlText.replaceAll("<secret>", "pw-shown"));
    const again = loadConfig({ file: "shown.yml", env: {}, cwd: tmp });
    assert.ok(again.ok, again.ok ? "" : again.errors.join("\n"));
    const original = loadConfig({ file: "valid.yml", env: { VBO_PASSWORD: "pw-shown" }, cwd: dir });
    assert.ok(original.ok);
    assert.deepEqual({ ...again.config, source: "" }, { ...original.config, source: "" });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
