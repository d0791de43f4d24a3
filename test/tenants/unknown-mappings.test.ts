// A tenant mapping that names an organization no server has is found (by name, domain or id,
// letter case ignored), so the exporter can warn at start.
import assert from "node:assert/strict";
import { test } from "node:test";
import { unknownMappedOrganizations } from "../../src/tenants/unknown-mappings.ts";

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
