// Pure: a poll batch with each new event marked with the watched subject it touched (if any), so
// the counters, the audit records and the feed of watched accesses all read the same decision.
import type { PollResult } from "../pipeline/types.ts";
import { type Watchlist, watchedSubjectOf } from "./watchlist.ts";

export function annotateWatched(result: PollResult, watchlist: Watchlist): PollResult {
  if (watchlist.subjects.length === 0 || result.newEvents.length === 0) return result;
  let touched = false;
  const newEvents = result.newEvents.map((entry) => {
    const subject = watchedSubjectOf(watchlist, {
      sessionType: entry.session.type,
      organization: entry.session.organization,
      source: entry.event.source,
      userId: entry.event.userId,
      groupId: entry.event.groupId,
      siteId: entry.event.siteId,
    });
    if (subject === null) return entry;
    touched = true;
    return { ...entry, watched: subject.label };
  });
  return touched ? { ...result, newEvents } : result;
}
