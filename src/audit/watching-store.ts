// The state store as the pollers see it: every batch is checked against its server's watchlist
// before it is committed, so counters, audit records and the feed share one decision.
import type { StateStore } from "../state/store.ts";
import { annotateWatched } from "./annotate.ts";
import type { Watchlist } from "./watchlist.ts";

export function watchingStore(
  store: StateStore,
  watchlistOf: (server: string) => Watchlist | undefined,
): StateStore {
  return {
    ...store,
    commitPoll(result, sinks, policy, cursorMs) {
      const watchlist = watchlistOf(result.server);
      const batch = watchlist === undefined ? result : annotateWatched(result, watchlist);
      return store.commitPoll(batch, sinks, policy, cursorMs);
    },
  };
}
