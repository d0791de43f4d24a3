// One list of environment variables: what src/config/env.ts reads, what `serve --help` lists and
// what the README's table explains are the same names.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ENV_VARIABLES } from "../../src/config/env-variables.ts";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

test("every variable the environment layer reads is listed, and every listed one is read", () => {
  const source = read("src/config/env.ts");
  const listed = new Set(ENV_VARIABLES.map((v) => v.name));
  const quoted = new Set(
    [...source.matchAll(/"((?:VBO|WEB|STATE|SHARD|LOG|LOGS|GRAFANA|OTEL)_[A-Z0-9_]+)"/g)].map(
      (m) => m[1],
    ),
  );
  // OTEL_* variables are also built from a suffix (OTEL_EXPORTER_OTLP_${suffix}).
  for (const suffix of source.matchAll(/pick\("([A-Z]+)"\)/g))
    quoted.add(`OTEL_EXPORTER_OTLP_${suffix[1]}`);
  for (const name of quoted) assert.ok(listed.has(name ?? ""), `${name} is read but not listed`);
  for (const name of listed) assert.ok(quoted.has(name), `${name} is listed but not read`);
});

test("serve --help and the README name every variable", () => {
  const cli = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));
  const help = spawnSync(process.execPath, [cli, "serve", "--help"], { encoding: "utf8" }).stdout;
  const readme = read("README.md");
  for (const { name } of ENV_VARIABLES) {
    assert.ok(new RegExp(`\\b${name}\\b`).test(help), `serve --help lacks ${name}`);
    assert.ok(readme.includes(name), `the README lacks ${name}`);
  }
});
