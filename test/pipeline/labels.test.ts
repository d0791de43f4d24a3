// Label mapping: restore types, client host shapes seen on real servers, raw enum values.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  organizationLabel,
  rawLabel,
  restoreTypeLabel,
  splitClientHost,
} from "../../src/pipeline/labels.ts";

test("restore types map to workload names, unknown ones are kept lower-cased", () => {
  assert.equal(restoreTypeLabel("Vex"), "exchange");
  assert.equal(restoreTypeLabel("Veod"), "onedrive");
  assert.equal(restoreTypeLabel("VESP"), "sharepoint");
  assert.equal(restoreTypeLabel("Vet"), "teams");
  assert.equal(restoreTypeLabel("VeBackupCopy"), "vebackupcopy");
  assert.equal(restoreTypeLabel(""), "unknown");
  assert.equal(restoreTypeLabel(null), "unknown");
});

test("client host: machine name before (via: ...), gateway after it", () => {
  assert.deepEqual(splitClientHost("BXYDEV01 (via: 203.0.113.10)"), {
    host: "BXYDEV01",
    gateway: "203.0.113.10",
  });
  assert.deepEqual(splitClientHost("ws-17.corp.example (via: 2001:db8::1)"), {
    host: "ws-17.corp.example",
    gateway: "2001:db8::1",
  });
  assert.deepEqual(splitClientHost("LAPTOP-9"), { host: "LAPTOP-9", gateway: null });
  assert.deepEqual(splitClientHost(""), { host: "unknown", gateway: null });
  assert.deepEqual(splitClientHost(undefined), { host: "unknown", gateway: null });
  assert.deepEqual(splitClientHost(" (via: 198.51.100.4)"), {
    host: "unknown",
    gateway: "198.51.100.4",
  });
});

test("raw values are lower-cased; organizations are kept as sent", () => {
  assert.equal(rawLabel("Success"), "success");
  assert.equal(rawLabel(" "), "unknown");
  assert.equal(organizationLabel('Müller, "Bau" GmbH'), 'Müller, "Bau" GmbH');
  assert.equal(organizationLabel(null), "unknown");
});
