// A tenant mapping that names an organization no server has is found (by name, domain or id,
// letter case ignored), and a web.tenants organization that is no `organization` label value, so
// the exporter can warn at start.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { unknownMappedOrganizations, unknownMappings } from "../../src/tenants/unknown-mappings.ts";

test("mapped organizations that no server knows are named; known ones by name, domain or id are not", () => {
  const known = [
    {
      id: "0f1e",
      name: "Contoso Ltd",
      officeName: "contoso.onmicrosoft.com",
      type: null,
      region: null,
    },
    { id: "ab12", name: "Fabrikam", officeName: null, type: null, region: null },
  ];
  assert.deepEqual(
    unknownMappedOrganizations(
      ["contoso ltd", "CONTOSO.onmicrosoft.com", "AB12", "Fabrikm", "northwind"],
      known,
    ),
    ["Fabrikm", "northwind"],
  );
  assert.deepEqual(unknownMappedOrganizations([], known), []);
});

test("web.tenants organizations are label values: exact names, cut like the label when long", () => {
  const long = `Northwind Traders ${"x".repeat(40)}`;
  // The label of a name longer than labelMaxLength (32 here): its first 23 characters, `~` and
  // 8 hex digits of its SHA-256, as the README's metric documentation says.
  const cut = `${long.slice(0, 23)}~${createHash("sha256").update(long).digest("hex").slice(0, 8)}`;
  const known = [
    {
      labelMaxLength: 128,
      organizations: [
        {
          id: "0f1e",
          name: "Contoso Ltd",
          officeName: "contoso.onmicrosoft.com",
          type: null,
          region: null,
        },
      ],
    },
    {
      labelMaxLength: 32,
      organizations: [{ id: "cd34", name: long, officeName: null, type: null, region: null }],
    },
  ];
  const result = unknownMappings(
    {
      logs: ["CONTOSO LTD", "cd34", "Contso"],
      web: [
        { username: "contoso", organizations: ["Contoso Ltd", "contoso ltd"] },
        { username: "northwind", organizations: [cut, long, "contoso.onmicrosoft.com"] },
      ],
    },
    known,
  );
  assert.deepEqual(result.logs, ["Contso"]);
  assert.deepEqual(result.web, [
    { index: 0, username: "contoso", organization: "contoso ltd" },
    { index: 1, username: "northwind", organization: long },
    { index: 1, username: "northwind", organization: "contoso.onmicrosoft.com" },
  ]);
  assert.deepEqual(unknownMappings({ logs: [], web: [] }, known), { logs: [], web: [] });
});
