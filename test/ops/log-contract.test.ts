// The log attributes the dashboards and Loki rules rely on are the ones src/logs/records.ts writes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { eventRecord, SERVICE_NAME, sessionRecord } from "../../src/logs/records.ts";
import type { RestoreEvent, RestoreSession } from "../../src/vbo/types.ts";
import { indexedResourceAttributes, lokiName, recordAttributes } from "../helpers/ops-contract.ts";
import { readRepoText } from "../helpers/ops-repo.ts";

const at = (text: string) => ({ ns: BigInt(Date.parse(text)) * 1_000_000n, text });

// Every optional field filled in, so every attribute the contract can carry is present.
const session: RestoreSession = {
  id: "5f0c7d4e-1b2a-4c3d-9e8f-001122334455",
  name: "Exchange restore (Job: Daily)",
  organization: "contoso.onmicrosoft.com",
  type: "Vex",
  creationTime: at("2026-03-16T18:00:12.000Z"),
  endTime: at("2026-03-16T18:20:00.000Z"),
  state: "Stopped",
  result: "Success",
  initiatedBy: "CONTOSO\\jdoe",
  details: "Restore finished",
  scopeName: "Contoso mailboxes",
  clientHost: "BXYDEV01 (via: 203.0.113.10)",
  reason: "Ticket 4711",
  eTag: 3,
};
const event: RestoreEvent = {
  id: "aa0c7d4e-1b2a-4c3d-9e8f-001122334455",
  sessionId: session.id,
  type: "Export",
  status: "Success",
  startTime: at("2026-03-16T18:05:00.000Z"),
  endTime: at("2026-03-16T18:05:01.000Z"),
  durationText: "00:00:01",
  durationSeconds: 1,
  title: "Item exported",
  message: "Item Q1.xlsx was exported successfully",
  order: 3,
  itemName: "Q1.xlsx",
  itemType: "IPM.Note",
  itemSizeBytes: 2048,
  source: "John Doe\\Inbox",
  target: "C:\\export.pst",
  organizationId: "org-1",
  backedUpOrganizationId: "org-1",
  userId: "user-1",
  groupId: "group-1",
  siteId: "site-1",
  teamId: "team-1",
};
const context = { serviceVersion: "0.0.0-test", instanceId: "test" };
// A watched event: it carries every attribute an event record can have.
const eventRec = eventRecord("lab", 1n, { session, event, watched: "jdoe@contoso.com" }, context);
const sessionRec = sessionRecord("lab", 1n, session, context);
const keys = (attrs: readonly { key: string }[]) => new Set(attrs.map((a) => a.key));

test("every attribute the ops files use is written by the record contract", () => {
  const written = new Set([
    ...keys(eventRec.attributes),
    ...keys(sessionRec.attributes),
    ...keys(eventRec.resource),
  ]);
  for (const attribute of recordAttributes)
    assert.ok(written.has(attribute), `${attribute} is not written by src/logs/records.ts`);
});

test("the index labels Loki is configured with are resource attributes, service.name being the exporter", () => {
  const resource = new Map(eventRec.resource.map((a) => [a.key, a.value.value]));
  for (const attribute of indexedResourceAttributes) assert.ok(resource.has(attribute), attribute);
  assert.equal(resource.get("service.name"), SERVICE_NAME);
  assert.equal(resource.get("vbo.server"), "lab");
  const queries =
    readRepoText("loki/rules/provider/vbo-audit.yml") +
    readRepoText("grafana/dashboards/vbo-restore-activity.json");
  assert.ok(
    queries.includes(`service_name=\\"${SERVICE_NAME}\\"`) ||
      queries.includes(`service_name="${SERVICE_NAME}"`),
  );
});

test("event and session records are told apart the way the dashboards filter them", () => {
  const eventKeys = keys(eventRec.attributes);
  const sessionKeys = keys(sessionRec.attributes);
  assert.ok(
    eventKeys.has("vbo.event.id") && !eventKeys.has("vbo.session.result"),
    "events: vbo_event_id, no vbo_session_result",
  );
  assert.ok(
    sessionKeys.has("vbo.session.result") && !sessionKeys.has("vbo.event.id"),
    "sessions: vbo_session_result, no vbo_event_id",
  );
  assert.equal(lokiName("vbo.event.id"), "vbo_event_id");
});

test("event types keep VBO's raw casing, as the LogQL filters (Export|Send) expect", () => {
  const type = eventRec.attributes.find((a) => a.key === "vbo.event.type")?.value.value;
  assert.equal(type, "Export");
  assert.match(readRepoText("loki/rules/provider/vbo-audit.yml"), /vbo_event_type=~"Export\|Send"/);
});
