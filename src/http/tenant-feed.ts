// The feed of watched accesses as a tenant user sees it: only their organizations' entries, and
// cursors of their own (from the time each entry was observed), because the feed's global
// sequence numbers would show by their gaps how many accesses other organizations had.
import type { WatchedAccessFeed, WatchedAccessView } from "../pipeline/status.ts";
import type { AccessScope } from "./access.ts";

/** Every kept entry is read: the feed holds watched accesses only, for its retention. */
const ALL = Number.MAX_SAFE_INTEGER;

export function scopedFeed(feed: WatchedAccessFeed, scope: AccessScope): WatchedAccessFeed {
  if (scope === null) return feed;
  return (since, limit) => {
    const mine: WatchedAccessView[] = [];
    let previous = 0;
    for (const entry of feed(0, ALL)) {
      if (entry.organization === null || !scope.has(entry.organization)) continue;
      // Strictly increasing, and the same for an entry on every read while it is kept.
      const seq = Math.max(previous + 1, entry.observedAtMs * 1000);
      previous = seq;
      if (seq > since) mine.push({ ...entry, seq });
    }
    return mine.slice(0, limit);
  };
}
