// The scrubber: every form a secret takes in an echo is removed, short secrets only where they
// stand alone, and the configuration's secret set holds what goes over the wire.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../src/config/parse.ts";
import { basicCredentials, configSecrets, scrub } from "../../src/secrets/scrub.ts";

test("a secret is removed raw, JSON-escaped and URL-encoded, longest first", () => {
  const secret = 'p"a\\ss w/rd';
  const text = `raw ${secret} json ${JSON.stringify(secret)} url ${encodeURIComponent(secret)}`;
  const out = scrub(text, [secret]);
  assert.equal(out, 'raw [redacted] json "[redacted]" url [redacted]');
  // A secret containing another one goes whole, not as "[redacted]-tail".
  assert.equal(scrub("x token-tail y", ["token", "token-tail"]), "x [redacted] y");
});

test("secrets shorter than 4 characters are removed where they stand alone only", () => {
  assert.equal(
    scrub("password ab was refused, about", ["ab"]),
    "password [redacted] was refused, about",
  );
  assert.equal(scrub("key=x9;", ["x9"]), "key=[redacted];");
  assert.equal(scrub("abcd inside xabcdx", ["abcd"]), "[redacted] inside x[redacted]x");
  assert.equal(scrub("nothing to hide", [""]), "nothing to hide");
});

test("the configuration's secret set: passwords, header values, tokens, base64 credentials", () => {
  const result = parseConfig({
    text: `web: { basicAuth: { username: prom, password: web-secret } }
servers:
  - { name: a, url: "https://vbo.example:4443", username: svc, password: vbo-secret }
logs:
  otlp:
    endpoint: "https://loki.example/otlp/v1/logs"
    headers: { X-Api-Key: key-secret, X-Auth: "Token hdr-secret" }
    basicAuth: { username: tenant, password: loki-secret }
`,
    fileName: "config.yml",
    baseDir: "/",
    cwd: "/",
    env: {},
    readFile: () => {
      throw Object.assign(new Error("none"), { code: "ENOENT" });
    },
  });
  assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
  const secrets = configSecrets(result.config);
  for (const expected of [
    "web-secret",
    "vbo-secret",
    "key-secret",
    "Token hdr-secret",
    "hdr-secret",
    "loki-secret",
    basicCredentials("tenant", "loki-secret"),
    Buffer.from("prom:web-secret").toString("base64"),
  ]) {
    assert.ok(secrets.includes(expected), `missing ${expected}`);
  }
});
