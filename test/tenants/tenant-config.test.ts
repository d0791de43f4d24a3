// logs.tenants: derived tenant ids are stable and within Loki's rules, organizations are found by
// name (any letter case) or id, and a mapping whose tenants collide is refused at load with a sentence.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { parseConfig } from "../../src/config/parse.ts";
import type { ConfigResult } from "../../src/config/types.ts";
import { deriveTenantId } from "../../src/tenants/tenant-id.ts";
import { createTenantRouter } from "../../src/tenants/tenant-router.ts";

const SERVER =
  "servers:\n  - name: a\n    url: https://vbo.example:4443\n    username: u\n    password: p\n";

function load(tenants: string): ConfigResult {
  return parseConfig({
    text: `${SERVER}logs:\n  tenants:\n${tenants}`,
    fileName: "config.yml",
    baseDir: "/etc/vbo",
    cwd: "/srv",
    env: {},
    readFile: () => {
      throw Object.assign(new Error("missing"), { code: "ENOENT" });
    },
  });
}

/** Loki's tenant id rules, written out from its documentation (and '|' separates query tenants). */
function lokiAccepts(id: string): boolean {
  return (
    id.length > 0 &&
    id.length <= 150 &&
    /^[A-Za-z0-9!\-_.*'()]+$/.test(id) &&
    id !== "." &&
    id !== ".."
  );
}

const hash8 = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 8);

describe("derived tenant ids", () => {
  test("a name already a tenant id is kept; any other gets the documented slug and hash", () => {
    assert.equal(deriveTenantId("contoso"), "contoso");
    assert.equal(deriveTenantId("fabrikam-eu_2.test"), "fabrikam-eu_2.test");
    assert.equal(deriveTenantId("Contoso Ltd"), `contoso_ltd-${hash8("Contoso Ltd")}`);
    assert.equal(deriveTenantId("Contoso"), `contoso-${hash8("Contoso")}`);
    assert.equal(
      deriveTenantId("Müller & Söhne|GmbH"),
      `m_ller_s_hne_gmbh-${hash8("Müller & Söhne|GmbH")}`,
    );
    assert.equal(deriveTenantId(".."), `org-${hash8("..")}`);
    assert.equal(deriveTenantId("株式会社"), `org-${hash8("株式会社")}`);
    assert.equal(deriveTenantId("Fabrikam (EU)"), `fabrikam_eu-${hash8("Fabrikam (EU)")}`);
  });

  test("every derived id is one Loki accepts, and names differing in case stay apart", () => {
    const names = [
      "",
      ".",
      "..",
      "x".repeat(400),
      "A|B",
      "a b",
      "A B",
      "日本語",
      "tenant\ninjected: 1",
    ];
    const ids = names.map(deriveTenantId);
    for (const id of ids) assert.ok(lokiAccepts(id), `${id} is a valid tenant id`);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(deriveTenantId("Contoso Ltd"), deriveTenantId("Contoso Ltd"), "stable");
  });
});

describe("routing", () => {
  const route = createTenantRouter({
    defaultTenant: "provider",
    perOrganization: true,
    organizations: { "Contoso Ltd": "contoso", "0b5c-id": "fabrikam", Tailspin: "provider" },
  });

  test("explicit entries by name (any case) or id win; the rest get their own tenant", () => {
    assert.equal(route({ name: "contoso ltd", id: null }), "contoso");
    assert.equal(route({ name: "Fabrikam", id: "0b5c-id" }), "fabrikam");
    assert.equal(route({ name: "Tailspin", id: null }), "provider");
    assert.equal(route({ name: "Northwind", id: "n-1" }), `northwind-${hash8("Northwind")}`);
    assert.equal(route({ name: null, id: null }), "provider");
    assert.equal(route({ name: "", id: "unknown" }), "provider");
  });

  test("a derived id never lands in a tenant configured for someone else", () => {
    // "contoso" derives to itself, but that tenant is Contoso Ltd's.
    const id = route({ name: "contoso", id: null });
    assert.notEqual(id, "contoso");
    assert.ok(lokiAccepts(id));
    assert.notEqual(route({ name: "provider", id: null }), "provider");
  });

  test("without perOrganization the unlisted go to the default tenant", () => {
    const single = createTenantRouter({
      defaultTenant: "default",
      perOrganization: false,
      organizations: {},
    });
    assert.equal(single({ name: "Northwind", id: "n-1" }), "default");
  });
});

describe("logs.tenants at load", () => {
  test("read with defaults; tenant values that are not ids are derived", () => {
    const result = load(
      '    perOrganization: true\n    organizations:\n      "Contoso Ltd": Contoso Tenant\n      Fabrikam: fabrikam\n',
    );
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
    assert.deepEqual(result.config.logs.tenants, {
      defaultTenant: "default",
      perOrganization: true,
      organizations: {
        "Contoso Ltd": `contoso_tenant-${hash8("Contoso Tenant")}`,
        Fabrikam: "fabrikam",
      },
    });
  });

  test("absent: no tenants, records go alike", () => {
    const result = parseConfig({
      text: SERVER,
      fileName: "config.yml",
      baseDir: "/etc/vbo",
      cwd: "/srv",
      env: {},
      readFile: () => "",
    });
    assert.ok(result.ok);
    assert.equal(result.config.logs.tenants, null);
  });

  test("two organizations whose different tenants become one id are refused with a sentence", () => {
    const result = load(
      '    organizations:\n      Contoso: "Shared Tenant"\n      Fabrikam: "Shared Tenant"\n      Northwind: shared_tenant\n      Tailspin: "shared tenant"\n',
    );
    assert.equal(result.ok, true, "the same value written twice is a choice, not a collision");
    const clash = load(
      `    organizations:\n      Contoso: "a b"\n      Fabrikam: "a  b"\n      Northwind: a_b-${hash8("a b")}\n`,
    );
    assert.equal(clash.ok, false);
    const errors = clash.ok ? [] : clash.errors;
    // "a  b" derives apart from "a b" (its own hash); the id written out for Northwind does not.
    assert.equal(errors.length, 1, errors.join("\n"));
    assert.match(
      errors[0] ?? "",
      /logs\.tenants\.organizations\.Northwind: its tenant "a_b-[0-9a-f]{8}" and the tenant "a b" of "Contoso" both become the tenant id "a_b-[0-9a-f]{8}"/,
    );
  });

  test("the same organization twice in different case, or a bad default tenant, is refused", () => {
    const result = load(
      "    default: Not A Tenant\n    organizations:\n      Contoso: a\n      CONTOSO: b\n",
    );
    assert.equal(result.ok, false);
    const text = result.ok ? "" : result.errors.join("\n");
    assert.match(text, /logs\.tenants\.default.*1 to 150 characters/);
    assert.match(text, /CONTOSO.*names the same organization as "Contoso"/);
  });
});

describe("web.tenants at load", () => {
  const HASH = "$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA";
  const web = (lines: string) =>
    parseConfig({
      text: `${SERVER}web:\n${lines}`,
      fileName: "config.yml",
      baseDir: "/etc/vbo",
      cwd: "/srv",
      env: {},
      readFile: () => "",
    });

  test("tenant users with their organizations, next to the provider's own user", () => {
    const result = web(
      `  basicAuth: { username: provider, passwordHash: "${HASH}" }\n  tenants:\n    - { username: fabrikam, passwordHash: "${HASH}", organizations: ["Fabrikam Holdings (EU)"] }\n`,
    );
    assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
    assert.deepEqual(result.config.web.tenants, [
      { username: "fabrikam", passwordHash: HASH, organizations: ["Fabrikam Holdings (EU)"] },
    ]);
  });

  test("refused: without the provider's user, a user name twice, a bad hash, no organization", () => {
    const result = web(
      `  tenants:\n    - { username: a, passwordHash: "${HASH}", organizations: [x] }\n    - { username: a, passwordHash: "plain", organizations: [y] }\n`,
    );
    assert.equal(result.ok, false);
    const text = result.ok ? "" : result.errors.join("\n");
    assert.match(text, /web\.tenants: needs web\.basicAuth too/);
    assert.match(text, /web\.tenants\[1\]\.username: is already the user name/);
    assert.match(text, /web\.tenants\[1\]\.passwordHash: expected an scrypt hash/);
    const empty = web(
      `  basicAuth: { username: p, passwordHash: "${HASH}" }\n  tenants:\n    - { username: a, passwordHash: "${HASH}", organizations: [] }\n`,
    );
    assert.match(
      empty.ok ? "" : empty.errors.join("\n"),
      /web\.tenants\[0\]\.organizations: expected at least one organization/,
    );
  });
});
