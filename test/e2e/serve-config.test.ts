// `serve --config FILE` against a separately started simulator: the configured server's metrics
// appear, and the VBO password never shows in any output, even at debug level.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { basic, get } from "../http/request.ts";
import { cleanEnv, eventually, spawnServe } from "./spawn-serve.ts";

test("serve --config polls the configured server and never logs its password", async () => {
  const simulator = await startSimulator({
    apiVersion: "v7",
    host: "127.0.0.1",
    port: 0,
    ratePerMinute: 30,
    historySessions: 20,
    username: "svc-monitor",
    // A password no log line could contain by chance.
    password: "vbo-Secret-e2e-7731!",
  });
  const dir = mkdtempSync(join(tmpdir(), "vbo-serve-config-"));
  const webPassword = "web-pw-4b1e9";
  const config = `web:
  listenAddress: "127.0.0.1:0"
  basicAuth: { username: prom, password: "\${WEB_PASSWORD}" }
state:
  dir: ./state
servers:
  - name: lab
    url: ${simulator.url}
    apiVersion: v7
    username: ${simulator.username}
    password: \${VBO_PASSWORD}
    pollInterval: 1s
    lookback: 30d
`;
  writeFileSync(join(dir, "config.yml"), config);
  const serve = spawnServe(
    ["--config", join(dir, "config.yml"), "--log-level", "trace"],
    cleanEnv({ VBO_PASSWORD: simulator.password, WEB_PASSWORD: webPassword }),
  );
  try {
    const [, base] = await serve.waitForStdout(/Metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/)metrics/);
    assert.match(serve.stdout(), /watching 1 server\(s\): lab/);
    assert.doesNotMatch(serve.stdout(), /DEMO/);
    const auth = basic("prom", webPassword);
    assert.equal((await get(`${base}metrics`)).status, 401);
    await eventually(
      async () => {
        const body = (await get(`${base}metrics`, { headers: auth })).body;
        return /^vbo_restore_sessions_total\{.*server="lab".*\} [1-9]/m.test(body)
          ? body
          : undefined;
      },
      15_000,
      "sessions of server lab",
    );
    await eventually(
      async () =>
        (await get(`${base}readyz`, { headers: auth })).status === 200 ? true : undefined,
      10_000,
      "/readyz 200",
    );
    const { code } = await serve.stop("SIGINT");
    assert.equal(code, 0, serve.stderr());
    // Relative state.dir resolves next to the file; the instance id persists there for restarts.
    assert.match(readFileSync(join(dir, "state", "instance-id"), "utf8"), /^[0-9a-f-]{36}\n$/);
    const output = serve.stdout() + serve.stderr();
    assert.ok(serve.stderr().length > 0, "there were logs to check");
    assert.ok(!output.includes(simulator.password), "the VBO password appears in the output");
    assert.ok(!output.includes(webPassword), "the web password appears in the output");
  } finally {
    await serve.stop("SIGKILL");
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
