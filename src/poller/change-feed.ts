// Reads VBO's change feed (v8) into the poller's memory: which running sessions changed or were
// deleted since the last read. A token VBO no longer knows starts over at the latest position,
// with every running session read again; a server without the feed is polled as v6/v7 are.
import type { VboClient } from "../vbo/types.ts";
import type { ChangeFeedPosition, PollMemory } from "./poll-memory.ts";

export interface FeedRead {
  readonly memory: PollMemory;
  /** The feed reported a change (a session created, changed or deleted). */
  readonly changed: boolean;
}

function reasonOf(error: unknown): unknown {
  return typeof error === "object" && error !== null
    ? (error as { reason?: unknown }).reason
    : undefined;
}

/** A fresh position at VBO's "latest": nothing pending, every eTag forgotten (read all again). */
async function startOver(
  read: NonNullable<VboClient["restoreSessionChanges"]>,
  memory: PollMemory,
  signal: AbortSignal | undefined,
): Promise<FeedRead> {
  const latest = await read("latest", 0, signal);
  const changeFeed: ChangeFeedPosition = {
    token: latest.nextToken,
    updated: new Map(),
    deleted: new Set(),
  };
  return { memory: { ...memory, changeFeed, eTags: new Map() }, changed: false };
}

/**
 * The memory with the changes since its token merged in. `timeoutSeconds` > 0 waits that long for
 * a first change (between polls); 0 reads what is there.
 */
export async function readChangeFeed(
  client: VboClient,
  memory: PollMemory,
  timeoutSeconds: number,
  signal?: AbortSignal,
): Promise<FeedRead> {
  const read = client.restoreSessionChanges?.bind(client);
  const feed = memory.changeFeed;
  if (read === undefined || feed === "unavailable") return { memory, changed: false };
  try {
    if ((await client.apiVersion(signal)) !== "v8")
      return { memory: { ...memory, changeFeed: "unavailable" }, changed: false };
    if (feed === null) return await startOver(read, memory, signal);
    const changes = await read(feed.token, Math.max(0, Math.floor(timeoutSeconds)), signal);
    const changed = changes.updated.size > 0 || changes.deleted.size > 0;
    if (!changed && changes.nextToken === feed.token) return { memory, changed };
    const updated = new Map(feed.updated);
    const deleted = new Set(feed.deleted);
    for (const [id, eTag] of changes.updated) {
      updated.set(id, eTag);
      deleted.delete(id);
    }
    for (const id of changes.deleted) {
      deleted.add(id);
      updated.delete(id);
    }
    return {
      memory: { ...memory, changeFeed: { token: changes.nextToken, updated, deleted } },
      changed,
    };
  } catch (error) {
    const reason = reasonOf(error);
    if (reason === "change_token_expired") {
      const again = await startOver(read, memory, signal);
      return { ...again, changed: true };
    }
    // A v8 server without the feed (or a proxy that does not pass it): poll as v6/v7 are.
    if (reason === "not_found")
      return { memory: { ...memory, changeFeed: "unavailable" }, changed: false };
    throw error;
  }
}
