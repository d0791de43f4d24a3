// web.grafana: where the landing page links to the audit log in Grafana Explore; from the file or
// GRAFANA_URL, the Loki datasource uid defaulting to the provisioned one, bad values named.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../src/config/parse.ts";
import type { ConfigResult } from "../../src/config/types.ts";

const SERVER =
  "servers:\n  - { name: lab, url: https://vbo.example:4443, username: u, password: p }\n";

function parse(text: string | null, env: Record<string, string> = {}): ConfigResult {
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

function grafana(result: ConfigResult) {
  assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
  return result.config.web.grafana;
}

test("no Grafana configured: no links", () => {
  assert.equal(grafana(parse(SERVER)), null);
});

test("a Grafana URL from the file, the datasource uid defaulting to the provisioned one", () => {
  assert.deepEqual(
    grafana(parse(`web:\n  grafana: { url: "https://grafana.example.com/sub/" }\n${SERVER}`)),
    {
      url: "https://grafana.example.com/sub",
      lokiDatasource: "loki",
    },
  );
  assert.deepEqual(
    grafana(
      parse(`web:\n  grafana: { url: "http://g:3000", lokiDatasource: audit-loki }\n${SERVER}`),
    ),
    { url: "http://g:3000", lokiDatasource: "audit-loki" },
  );
});

test("GRAFANA_URL sets it, the file wins over it", () => {
  const env = { GRAFANA_URL: "http://localhost:3000" };
  assert.deepEqual(grafana(parse(SERVER, env)), {
    url: "http://localhost:3000",
    lokiDatasource: "loki",
  });
  assert.equal(
    grafana(parse(`web:\n  grafana: { url: "https://grafana.example.com" }\n${SERVER}`, env))?.url,
    "https://grafana.example.com",
  );
});

test("a bad Grafana URL is named with what to write instead", () => {
  const bad = (url: string) => {
    const result = parse(`web:\n  grafana: { url: "${url}" }\n${SERVER}`);
    return result.ok ? [] : result.errors;
  };
  assert.deepEqual(bad("grafana.example.com"), [
    "config.yml: web.grafana.url: expected an http or https URL like https://grafana.example.com",
  ]);
  assert.deepEqual(bad("https://admin:pw@grafana.example.com"), [
    "config.yml: web.grafana.url: must not contain credentials (use username and password keys)",
  ]);
  const unknown = parse(`web:\n  grafana: { url: "http://g", datasource: x }\n${SERVER}`);
  assert.equal(unknown.ok, false);
  assert.match(
    unknown.ok ? "" : (unknown.errors[0] ?? ""),
    /web\.grafana\.datasource: unknown key/,
  );
});
