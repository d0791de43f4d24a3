// `audit` against the simulator as an operator runs it: items added by name show up in VBO, a
// second add changes nothing, a typo lists the nearest names, removal works by name; e-mail
// settings round-trip on v6, v7 and v8, and the SMTP password never appears in any output.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { type RunningSimulator, startSimulator } from "../../src/simulator/server.ts";

const cli = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));

function runAudit(
  sim: RunningSimulator,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VBO_|OTEL_|WEB_|STATE_|SHARD_)/.test(k)),
  );
  const child = spawn(process.execPath, [cli, "audit", ...args], {
    env: { ...env, VBO_URL: sim.url, VBO_USERNAME: sim.username, VBO_PASSWORD: sim.password },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

test("audit items add, list and remove by name, with no-ops and nearest names", async (t) => {
  const sim = await startSimulator({ apiVersion: "v8", tokenThrottle: false, ratePerMinute: 0 });
  t.after(() => sim.close());
  const org = sim.world.organizations()[1];
  assert.ok(org);
  const domain = org.name;

  const typo = await runAudit(sim, ["items", "add", "--organization", domain, "Alice Smyth"]);
  assert.equal(typo.code, 1);
  assert.match(
    typo.stderr,
    /no user or group "Alice Smyth" in .*; did you mean user Alice Smith </,
  );
  assert.equal(sim.world.audit.items(org.id).length, 0, "nothing added when a name is unknown");

  const add = await runAudit(sim, [
    "items",
    "add",
    "--organization",
    domain,
    "Alice Smith",
    "Finance",
  ]);
  assert.equal(add.code, 0, add.stderr);
  // When a running exporter sees it: the default refresh interval, and what the report does.
  assert.match(
    add.stdout,
    /^note: a running exporter picks this up at its next watchlist read \(within watchlist\.refreshInterval, 15m here, or at its restart\); restore events it reads before then are not marked watched, though the report command.* lists them$/m,
  );
  assert.deepEqual(
    sim.world.audit
      .items(org.id)
      .map((i) => i.type)
      .sort(),
    ["Group", "User"],
  );
  const again = await runAudit(sim, ["items", "add", "--organization", domain, "Alice Smith"]);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /already audited: user asmith@/);
  assert.equal(sim.world.audit.items(org.id).length, 2);

  const listed = await runAudit(sim, ["items", "list", "--json"]);
  assert.equal(listed.code, 0, listed.stderr);
  const rows = JSON.parse(listed.stdout) as { organization: string; type: string; name: string }[];
  assert.deepEqual(
    rows.map((r) => `${r.organization} ${r.type} ${r.name}`).sort(),
    sim.world.audit
      .items(org.id)
      .map((i) => `${org.name} ${i.type} ${i.name}`)
      .sort(),
  );

  const removed = await runAudit(sim, ["items", "remove", "--organization", domain, "Finance"]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /^note: a running exporter picks this up .* still marked watched/m);

  // Another organization has no items while this one still has one: said of that organization.
  const other = sim.world.organizations()[2];
  assert.ok(other);
  const empty = await runAudit(sim, ["items", "list", "--organization", other.name]);
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(
    empty.stdout.trim(),
    `no audit items in organization ${other.name} (add some with: audit items add)`,
  );

  // A missing --organization is bad usage (exit 2, as every usage error), and changes nothing.
  const before = sim.world.audit.items(org.id).length;
  const noFlag = await runAudit(sim, ["items", "add", "John Doe"]);
  assert.equal(noFlag.code, 2, noFlag.stderr);
  assert.match(noFlag.stderr, /--organization/);
  assert.equal(sim.world.audit.items(org.id).length, before);
  assert.deepEqual(
    sim.world.audit.items(org.id).map((i) => i.type),
    ["User"],
  );

  const noOrg = await runAudit(sim, ["items", "add", "--organization", "no-such-org", "x"]);
  assert.equal(noOrg.code, 1);
  assert.match(noOrg.stderr, /no organization "no-such-org"/);
  const usage = await runAudit(sim, ["items", "frobnicate"]);
  assert.equal(usage.code, 2);
});

for (const version of ["v6", "v7", "v8"] as const) {
  test(`${version}: audit email set then get round-trips; test sends one mail; the password stays secret`, async (t) => {
    const sim = await startSimulator({
      apiVersion: version,
      tokenThrottle: false,
      ratePerMinute: 0,
    });
    const dir = mkdtempSync(join(tmpdir(), "vbo-audit-"));
    t.after(async () => {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const secret = "smtp-secret-5f1e";
    writeFileSync(join(dir, "smtp"), `${secret}\n`);
    const set = await runAudit(sim, [
      "email",
      "set",
      "--enable",
      "--smtp-server",
      "smtp.example.com",
      "--port",
      "587",
      "--use-ssl",
      "true",
      "--use-authentication",
      "true",
      "--username",
      "vbo-mailer",
      "--smtp-password-file",
      join(dir, "smtp"),
      "--from",
      "vbo@example.com",
      "--to",
      "security@example.com;ciso@example.com",
      "--subject",
      "[%OrganizationName%] %DisplayName%: %Action% by %InitiatedByUserName%",
      "--json",
    ]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(sim.world.audit.passwordSet(), true);
    const got = await runAudit(sim, ["email", "get", "--json"]);
    assert.equal(got.code, 0, got.stderr);
    const settings = JSON.parse(got.stdout) as Record<string, unknown>;
    assert.deepEqual(
      {
        enableNotification: settings.enableNotification,
        smtpServer: settings.smtpServer,
        port: settings.port,
        useSSL: settings.useSSL,
        useAuthentication: settings.useAuthentication,
        username: settings.username,
        from: settings.from,
        to: settings.to,
        subject: settings.subject,
        authenticationType: settings.authenticationType,
      },
      {
        enableNotification: true,
        smtpServer: "smtp.example.com",
        port: 587,
        useSSL: true,
        useAuthentication: true,
        username: "vbo-mailer",
        from: "vbo@example.com",
        to: "security@example.com;ciso@example.com",
        subject: "[%OrganizationName%] %DisplayName%: %Action% by %InitiatedByUserName%",
        authenticationType: version === "v6" ? null : "CustomSmtp",
      },
    );
    const sent = await runAudit(sim, ["email", "test"]);
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(sim.world.audit.testMailsSent(), 1);
    const badSubject = await runAudit(sim, ["email", "set", "--subject", "%Whom% did %Action%"]);
    assert.equal(badSubject.code, 2);
    assert.match(badSubject.stderr, /unknown placeholder %Whom%/);
    for (const output of [set, got, sent, badSubject])
      assert.ok(!`${output.stdout}${output.stderr}`.includes(secret), "the SMTP password leaked");
  });
}
