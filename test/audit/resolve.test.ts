// "did you mean": a typed name gets the organizations within a few edits of it, never a name that
// only shares a long suffix (".onmicrosoft.com") with it; checked with the simulator's names.
import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveName } from "../../src/audit/resolve.ts";
import { SimulatorWorld } from "../../src/simulator/world.ts";

const world = new SimulatorWorld({
  seed: 1,
  organizations: 8,
  historySessions: 0,
  historyDays: 1,
  ratePerMinute: 0,
  sessionDurationSeconds: 60,
  startTime: Date.parse("2026-01-05T10:00:00Z"),
});
const organizations = world.organizations();
const candidates = organizations.map((o) => ({
  value: o.id,
  keys: [o.id, o.name, o.officeName],
  label: o.name,
}));

function nearest(typed: string): readonly string[] {
  const resolution = resolveName(typed, candidates);
  assert.equal(resolution.kind, "unknown", typed);
  return resolution.kind === "unknown" ? resolution.nearest : [];
}

test("a one-letter typo of a domain gets that organization only", () => {
  const contoso = organizations.find((o) => o.name === "contoso.onmicrosoft.com");
  assert.ok(contoso, "the simulator has contoso.onmicrosoft.com");
  assert.ok(
    organizations.some((o) => o.officeName.endsWith(".onmicrosoft.com") && o !== contoso),
    "other organizations share the .onmicrosoft.com suffix, which is the point of the test",
  );
  assert.deepEqual(nearest("contoso.onmicrosft.com"), ["contoso.onmicrosoft.com"]);
});

test("a letter left out of any organization's name still finds it first", () => {
  for (const org of organizations) {
    const name = [...org.name];
    if (name.length < 4) continue;
    const i = Math.floor(name.length / 2);
    const typed = [...name.slice(0, i), ...name.slice(i + 1)].join("");
    if (typed.toLowerCase() === org.name.toLowerCase()) continue;
    assert.equal(nearest(typed)[0], org.name, typed);
  }
});

test("a name far from every organization gets no suggestion", () => {
  assert.deepEqual(nearest("woodgrove.onmicrosoft.com"), []);
  assert.deepEqual(nearest("xq"), []);
});
