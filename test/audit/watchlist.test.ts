// The watchlist's matching rules, as the README states them: Exchange by the mailbox at the start
// of the source, OneDrive by the /personal/<owner>/ segment, SharePoint by site path, v8 by ids.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type WatchedSubject,
  type WatchlistEvent,
  watchedSubjectOf,
} from "../../src/audit/watchlist.ts";

const ceo: WatchedSubject = {
  label: "jdoe@contoso.com",
  organization: "contoso.com",
  kind: "user",
  people: [{ id: "user-1", upn: "jdoe@contoso.com", displayName: "John Doe" }],
  groupId: null,
  sitePaths: [],
  siteIds: [],
};
const hr: WatchedSubject = {
  label: "hr@contoso.com",
  organization: "contoso.com",
  kind: "group",
  people: [{ id: null, upn: "asmith@contoso.com", displayName: "Alice Smith" }],
  groupId: "group-9",
  sitePaths: [],
  siteIds: [],
};
const site: WatchedSubject = {
  label: "https://contoso.sharepoint.com/sites/Board",
  organization: null,
  kind: "site",
  people: [],
  groupId: null,
  sitePaths: ["/sites/Board"],
  siteIds: ["site-3"],
};
const watchlist = { subjects: [ceo, hr, site] };

function event(partial: Partial<WatchlistEvent>): WatchlistEvent {
  return {
    sessionType: "Vex",
    organization: "contoso.com",
    source: null,
    userId: null,
    groupId: null,
    siteId: null,
    ...partial,
  };
}

test("Exchange: the mailbox before the first backslash, by display name or UPN, any case", () => {
  assert.equal(watchedSubjectOf(watchlist, event({ source: "John Doe\\Inbox\\Q1" })), ceo);
  assert.equal(watchedSubjectOf(watchlist, event({ source: "jdoe@CONTOSO.com\\Sent Items" })), ceo);
  assert.equal(
    watchedSubjectOf(watchlist, event({ source: "Alice Smith\\Inbox" })),
    hr,
    "a group member",
  );
  assert.equal(watchedSubjectOf(watchlist, event({ source: "Bob Jones\\Inbox" })), null);
  assert.equal(watchedSubjectOf(watchlist, event({ source: "Inbox\\John Doe" })), null);
});

test("OneDrive: the owner segment of /personal/, in SharePoint's form or the bare login", () => {
  const od = (source: string) => event({ sessionType: "Veod", source });
  assert.equal(watchedSubjectOf(watchlist, od("/personal/jdoe_contoso_com/Documents/a.xlsx")), ceo);
  assert.equal(watchedSubjectOf(watchlist, od("/personal/jdoe/Documents/a.xlsx")), ceo);
  assert.equal(
    watchedSubjectOf(watchlist, od("/personal/jdoe2_contoso_com/Documents/a.xlsx")),
    null,
  );
  assert.equal(
    watchedSubjectOf(watchlist, event({ source: "/personal/jdoe/Documents" })),
    null,
    "only on OneDrive sessions",
  );
});

test("SharePoint by site path prefix or site id; v8 ids for users and groups", () => {
  const sp = (source: string, siteId: string | null = null) =>
    event({ sessionType: "Vesp", source, siteId });
  assert.equal(watchedSubjectOf(watchlist, sp("/sites/Board/Shared Documents/x.docx")), site);
  assert.equal(
    watchedSubjectOf(watchlist, sp("/sites/Boardroom/x.docx")),
    null,
    "a prefix of the name is not the site",
  );
  assert.equal(watchedSubjectOf(watchlist, sp("/sites/Other/x", "SITE-3")), site);
  assert.equal(watchedSubjectOf(watchlist, event({ userId: "user-1" })), ceo);
  assert.equal(watchedSubjectOf(watchlist, event({ groupId: "group-9" })), hr);
});

test("a subject of one organization never matches another's same-named mailbox", () => {
  assert.equal(
    watchedSubjectOf(watchlist, event({ organization: "fabrikam.com", source: "John Doe\\Inbox" })),
    null,
  );
  assert.equal(
    watchedSubjectOf(
      watchlist,
      event({ organization: "fabrikam.com", sessionType: "Vesp", source: "/sites/Board/x" }),
    ),
    site,
    "a local entry without organization applies to every organization",
  );
});
