// Tolerant decoding of VBO JSON: unknown enums and nulls kept, missing required fields named.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { VboError } from "../../src/vbo/errors.ts";
import {
  parseOrganization,
  parsePage,
  parseRestoreEvent,
  parseRestoreSession,
  parseTokenGrant,
} from "../../src/vbo/parse.ts";

const session = {
  id: "3c5f6a1e-8a4b-4f0e-9d2c-1a2b3c4d5e6f",
  name: "Exchange restore (Job: Daily - 3/16/2025 6:00:12 PM)",
  organization: "contoso.onmicrosoft.com",
  type: "Vex",
  creationTime: "2025-03-16T18:00:12.1234567Z",
  endTime: null,
  state: "Working",
  result: "Success",
  initiatedBy: "CONTOSO\\jdoe",
  details: "",
  scopeName: "Mailbox",
  clientHost: "BXYDEV01 (via: 203.0.113.10)",
  reason: "Ticket 42",
  eTag: 7,
  _links: { self: { href: "/v8/restoresessions/3c5f6a1e-8a4b-4f0e-9d2c-1a2b3c4d5e6f" } },
};

const event = {
  id: "9d1c2b3a-0000-4000-8000-000000000001",
  type: "Save",
  status: "Success",
  startTime: "2022-02-02T15:59:09.7680229Z",
  endTime: "2022-02-02T15:59:09.8127157Z",
  duration: "00:00:00.0446928",
  title: "Saving item",
  message: "Item Q1.xlsx was saved successfully",
  order: 3,
  itemName: "Q1.xlsx",
  itemType: "Item",
  itemSizeBytes: 18_344,
  source: "/personal/jdoe/Documents/Q1.xlsx",
  target: "C:\\Users\\jdoe",
};

function badResponseNaming(field: string) {
  return (error: unknown) =>
    error instanceof VboError &&
    error.reason === "bad_response" &&
    error.message.includes(`"${field}"`);
}

describe("parseRestoreSession", () => {
  it("maps every field, the start time to exact nanoseconds", () => {
    const s = parseRestoreSession(session);
    assert.equal(s.id, session.id);
    assert.equal(s.organization, "contoso.onmicrosoft.com");
    assert.equal(s.clientHost, "BXYDEV01 (via: 203.0.113.10)");
    assert.equal(s.creationTime.text, session.creationTime);
    assert.equal(s.creationTime.ns % 1_000_000_000n, 123_456_700n);
    assert.equal(s.endTime, null);
    assert.equal(s.eTag, 7);
  });

  it("keeps enum values outside the spec as they are", () => {
    const s = parseRestoreSession({ ...session, type: "Vexo", state: "Pausing", result: 5 });
    assert.equal(s.type, "Vexo");
    assert.equal(s.state, "Pausing");
    assert.equal(s.result, "5");
  });

  it("tolerates nulls and missing optional fields", () => {
    const minimal = {
      id: session.id,
      type: "Vet",
      creationTime: "2025-03-16T18:00:12Z",
      state: "Stopped",
      result: "Failed",
      name: null,
      clientHost: null,
      endTime: "",
    };
    const s = parseRestoreSession(minimal);
    assert.equal(s.name, null);
    assert.equal(s.organization, null);
    assert.equal(s.clientHost, null);
    assert.equal(s.endTime, null);
    assert.equal(s.eTag, null);
  });

  it("names each missing required field", () => {
    for (const field of ["id", "creationTime", "state", "type", "result"]) {
      const broken: Record<string, unknown> = { ...session };
      delete broken[field];
      assert.throws(() => parseRestoreSession(broken), badResponseNaming(field), field);
      assert.throws(
        () => parseRestoreSession({ ...session, [field]: null }),
        badResponseNaming(field),
      );
    }
  });

  it("turns wrong types and non-objects into bad_response", () => {
    assert.throws(() => parseRestoreSession({ ...session, id: { x: 1 } }), badResponseNaming("id"));
    assert.throws(
      () => parseRestoreSession({ ...session, creationTime: "last tuesday" }),
      badResponseNaming("creationTime"),
    );
    assert.throws(
      () => parseRestoreSession({ ...session, clientHost: ["a"] }),
      badResponseNaming("clientHost"),
    );
    for (const value of [null, "text", 42, [session]]) {
      assert.throws(
        () => parseRestoreSession(value),
        (e: unknown) => e instanceof VboError && e.reason === "bad_response",
      );
    }
  });
});

describe("parseRestoreEvent", () => {
  it("maps the fields and the .NET duration", () => {
    const e = parseRestoreEvent(event, "session-1");
    assert.equal(e.sessionId, "session-1");
    assert.equal(e.durationText, "00:00:00.0446928");
    assert.equal(e.durationSeconds, 0.0446928);
    assert.equal(e.endTime?.ns, e.startTime.ns + 44_692_800n);
    assert.equal(e.itemSizeBytes, 18_344);
    assert.equal(e.organizationId, null);
  });

  it("defaults itemSizeBytes and order to 0 and message to empty text", () => {
    const { itemSizeBytes: _a, order: _b, message: _c, ...rest } = event;
    const e = parseRestoreEvent({ ...rest, duration: null, status: "Exploded" }, "s");
    assert.equal(e.itemSizeBytes, 0);
    assert.equal(e.order, 0);
    assert.equal(e.message, "");
    assert.equal(e.durationSeconds, null);
    assert.equal(e.status, "Exploded");
  });

  it("names a missing id or startTime", () => {
    for (const field of ["id", "startTime"]) {
      const broken: Record<string, unknown> = { ...event };
      delete broken[field];
      assert.throws(() => parseRestoreEvent(broken, "s"), badResponseNaming(field));
    }
    assert.throws(
      () => parseRestoreEvent({ ...event, itemSizeBytes: "big" }, "s"),
      badResponseNaming("itemSizeBytes"),
    );
  });
});

describe("parsePage and friends", () => {
  it("reads results and the next link", () => {
    const page = parsePage({
      offset: 0,
      limit: 2,
      results: [1, 2],
      _links: { self: { href: "/v6/x?offset=0" }, next: { href: "/v6/x?offset=2&limit=2" } },
      totalCount: 5,
    });
    assert.deepEqual(page.results, [1, 2]);
    assert.equal(page.nextHref, "/v6/x?offset=2&limit=2");
    assert.equal(page.totalCount, 5);
    assert.equal(parsePage({ results: [] }).nextHref, null);
  });

  it("refuses a page without results", () => {
    assert.throws(() => parsePage({ offset: 0 }), badResponseNaming("results"));
    assert.throws(() => parsePage({ results: "none" }), badResponseNaming("results"));
    assert.throws(
      () => parsePage([]),
      (e: unknown) => e instanceof VboError,
    );
  });

  it("reads organizations with defaults", () => {
    const o = parseOrganization({ id: "o1", name: 'Müller, "Bau" GmbH', region: null });
    assert.equal(o.name, 'Müller, "Bau" GmbH');
    assert.equal(o.region, null);
  });

  it("reads a token answer and never quotes the token when something is off", () => {
    const grant = parseTokenGrant({
      access_token: "secret-access",
      refresh_token: "secret-refresh",
      expires_in: 3600,
      ".expires": "whatever format",
    });
    assert.equal(grant.expiresInSeconds, 3600);
    assert.equal(grant.refreshToken, "secret-refresh");
    assert.throws(
      () => parseTokenGrant({ access_token: 42, refresh_token: "secret-refresh" }),
      (e: unknown) =>
        e instanceof VboError &&
        !e.message.includes("secret") &&
        e.message.includes("access_token"),
    );
  });
});
