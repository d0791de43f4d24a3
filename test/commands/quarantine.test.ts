// `quarantine list` against the state of a real poll of the simulator: the unreadable records with
// their kind, reason, field and JSON, the VBO password never among them, resolved ones on --all.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { NO_FAULTS } from "../../src/simulator/faults.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { startCore } from "../helpers/exporter-core.ts";

const cli = new URL("../../src/cli.ts", import.meta.url).pathname;
const run = (...args: string[]) =>
  spawnSync(process.execPath, [cli, "quarantine", ...args], { encoding: "utf8" });

test("quarantine list shows what could not be read, scrubbed, and --all the resolved ones", async (t) => {
  // A password that VBO echoes inside the records (every organization name holds it).
  const password = "onmicrosoft";
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 40,
    ratePerMinute: 0,
    tokenThrottle: false,
    password,
    faults: { nullRequiredRate: 0.2 },
  });
  t.after(() => sim.close());
  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password }],
  });
  t.after(() => core.close());
  await core.poller().pollOnce();
  assert.equal(core.poller().status().up, true);

  const listed = run("list", "--state-dir", core.dir);
  assert.equal(listed.status, 0, listed.stderr);
  const open = core.store.quarantine.open("lab");
  assert.ok(open.length > 0);
  assert.match(listed.stdout, new RegExp(`: ${open.length} unread quarantined records`));
  assert.match(listed.stdout, /session missing_field: \d+/);
  assert.match(
    listed.stdout,
    /kind=session id=\S+ session=\S+ reason=missing_field field=creationTime unread/,
  );
  assert.match(listed.stdout, /"creationTime":null/);
  assert.match(listed.stdout, /\[redacted\]/);
  assert.ok(!listed.stdout.includes(password), "the VBO password is never printed");

  const config = join(core.dir, "cfg.yml");
  writeFileSync(
    config,
    `servers:\n  - { name: lab, url: "${sim.url}", username: ${sim.username}, password: ${password} }\nstate: { dir: "${core.dir}" }\n`,
  );
  assert.equal(run("list", "--config", config).stdout, listed.stdout);

  Object.assign(sim.faults, NO_FAULTS);
  await core.poller().pollOnce();
  assert.match(run("list", "--state-dir", core.dir).stdout, /no unread quarantined records/);
  const all = run("list", "--state-dir", core.dir, "--all", "--server", "lab");
  assert.match(all.stdout, new RegExp(`: ${open.length} quarantined records`));
  assert.match(all.stdout, /field=creationTime resolved \d{4}-/);

  const usage = run("list");
  assert.notEqual(usage.status, 0);
  assert.match(usage.stderr, /exactly one of --config FILE and --state-dir DIR/);
});
