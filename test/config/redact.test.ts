// Secrets never leave the configuration: not in the redacted view, the summary, nor any error.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: configuration text spells ${VAR} on purpose
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../src/config/parse.ts";
import { MASK, redactConfig, summarizeConfig } from "../../src/config/redact.ts";

const SECRETS = {
  vbo: "vbo-Pa55-word-7f3c",
  web: "web-Pa55-word-91ab",
  bearer: "otlp-token-5d2e",
  header: "Bearer header-token-c0de",
  fileSecret: "from-file-secret-42aa",
};

const files: Record<string, string> = { "/s/token": `${SECRETS.fileSecret}\n` };
const readFile = (path: string) => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error("missing"), { code: "ENOENT" });
  return text;
};

const text = `web:
  basicAuth: { username: prometheus, password: "\${WEB_PASSWORD}" }
servers:
  - name: lab
    url: https://vbo.example:4443
    username: svc
    password: \${VBO_PASSWORD}
  - name: two
    url: https://vbo2.example:4443
    username: svc
    passwordFile: /s/token
logs:
  otlp:
    endpoint: https://loki.example/otlp/v1/logs
    bearerToken: \${TOKEN}
    headers: { X-Scope-OrgID: tenant-a, Authorization: "\${HEADER}" }
`;
const env = {
  VBO_PASSWORD: SECRETS.vbo,
  WEB_PASSWORD: SECRETS.web,
  TOKEN: SECRETS.bearer,
  HEADER: SECRETS.header,
};

function assertNoSecret(output: string): void {
  for (const secret of Object.values(SECRETS)) {
    assert.ok(!output.includes(secret), `a secret leaked into: ${output}`);
  }
}

test("the redacted configuration and the summary keep the shape and mask every secret", () => {
  const result = parseConfig({ text, fileName: "c.yml", baseDir: "/", cwd: "/", env, readFile });
  assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
  // The real values are there for the exporter to use...
  assert.equal(result.config.servers[0]?.password, SECRETS.vbo);
  assert.equal(result.config.servers[1]?.password, SECRETS.fileSecret);
  const redacted = redactConfig(result.config);
  const printed = `${JSON.stringify(redacted)}\n${summarizeConfig(result.config).join("\n")}`;
  // ...but never in what is shown.
  assertNoSecret(printed);
  assert.ok(printed.includes(MASK));
  assert.ok(printed.includes("tenant-a"), "harmless header values stay visible");
  assert.ok(printed.includes("https://vbo.example:4443"));
});

test("no error message repeats a secret, whatever is wrong around it", () => {
  const broken = [
    // Wrong types and values next to secrets.
    text.replace(
      "username: svc\n    password",
      "username: 5\n    pollInterval: nope\n    password",
    ),
    // A secret smuggled into a URL.
    text.replace("https://vbo.example:4443", `https://svc:${SECRETS.vbo}@vbo.example:4443`),
    // A secret where a duration or number is expected.
    text.replace(
      "username: svc\n    passwordFile",
      `username: svc\n    lookback: \${VBO_PASSWORD}\n    passwordFile`,
    ),
    text.replace(
      "username: svc\n    passwordFile",
      `username: svc\n    pageSize: \${VBO_PASSWORD}\n    passwordFile`,
    ),
    // A secret as a header name and as an unknown key's value.
    text.replace("X-Scope-OrgID: tenant-a", `"\${VBO_PASSWORD} x": tenant-a`),
    text.replace("bearerToken:", "bearerTokn:"),
    // YAML syntax broken on the line holding the secret.
    text.replace("password: ${VBO_PASSWORD}", `password: "${SECRETS.vbo}`),
    text.replace("password: ${VBO_PASSWORD}", `password: ${SECRETS.vbo}: {`),
  ];
  for (const variant of broken) {
    const result = parseConfig({
      text: variant,
      fileName: "c.yml",
      baseDir: "/",
      cwd: "/",
      env,
      readFile,
    });
    assert.equal(result.ok, false, variant);
    assertNoSecret(result.ok ? "" : result.errors.join("\n"));
  }
  const fromEnv = parseConfig({
    text: null,
    fileName: "environment",
    baseDir: "/",
    cwd: "/",
    env: { VBO_URL: `https://u:${SECRETS.vbo}@h:4443`, VBO_PASSWORD: SECRETS.vbo },
    readFile,
  });
  assert.equal(fromEnv.ok, false);
  assertNoSecret(fromEnv.ok ? "" : fromEnv.errors.join("\n"));
});

test("the summary says how logs.tenants routes and how many tenant users there are, no hash", () => {
  const hash = "$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
  const tenants = `${text}  tenants:
    default: provider
    organizations: { Contoso: contoso, Fabrikam: fabrikam }
web:
  basicAuth: { username: prometheus, password: "\${WEB_PASSWORD}" }
  tenants:
    - { username: alice, passwordHash: "${hash}", organizations: [Contoso] }
    - { username: bob, passwordHash: "${hash}", organizations: [Contoso, Fabrikam] }
`.replace(/^web:\n {2}basicAuth: .*\n/, "");
  const result = parseConfig({
    text: tenants,
    fileName: "c.yml",
    baseDir: "/",
    cwd: "/",
    env,
    readFile,
  });
  assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
  const lines = summarizeConfig(result.config);
  assert.ok(
    lines.includes(
      "logs.tenants: 2 organizations mapped, every other organization to the default tenant provider",
    ),
    lines.join("\n"),
  );
  assert.ok(
    lines.includes("web.tenants: 2 tenant users (alice: 1 organization, bob: 2 organizations)"),
    lines.join("\n"),
  );
  assert.ok(!lines.join("\n").includes("scrypt"), "no password hash in the summary");
  assertNoSecret(lines.join("\n"));
});

test("with perOrganization the summary says so and where records of no organization go", () => {
  const perOrg = `${text}  tenants:\n    perOrganization: true\n`;
  const result = parseConfig({
    text: perOrg,
    fileName: "c.yml",
    baseDir: "/",
    cwd: "/",
    env,
    readFile,
  });
  assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
  const line = summarizeConfig(result.config).find((l) => l.startsWith("logs.tenants:"));
  assert.equal(
    line,
    "logs.tenants: 0 organizations mapped, every organization a tenant of its own (perOrganization), records of no organization to default",
  );
  assert.equal(
    summarizeConfig(result.config).some((l) => l.startsWith("web.tenants")),
    false,
  );
});
