// Commits one batch: its PollResult and the log outbox in one transaction, the counts into the
// metrics, and what it changes in the poller's memory.
import type { ExporterMetrics } from "../metrics/exporter-metrics.ts";
import type { BatchSink } from "../pipeline/types.ts";
import type { LabelPolicy, StateStore } from "../state/store.ts";
import type { Batch } from "./batch-builder.ts";
import { buildPollResult } from "./diff.ts";
import { type PollMemory, rememberCommitted } from "./poll-memory.ts";

export interface CommitContext {
  readonly server: string;
  readonly store: StateStore;
  readonly sinks: readonly BatchSink[];
  readonly policy: LabelPolicy;
  readonly metrics: ExporterMetrics;
  /** When the poll read the data (ns since the epoch). */
  readonly observedAtNs: bigint;
  /** An event still Running that started before this instant (ns) is taken as it is. */
  readonly waitForRunningSinceNs: () => bigint;
  readonly throwIfAborted: () => void;
  /** When the poll started (epoch ms): when the sessions it listed were read. */
  readonly startedMs: number;
}

export interface CommitState {
  readonly memory: PollMemory;
  /** Event ids committed so far of each session cut into several batches, until its last part. */
  readonly streaming: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface Committed {
  readonly state: CommitState;
  readonly newSessions: number;
  readonly newEvents: number;
}

export function commitBatch(ctx: CommitContext, batch: Batch, state: CommitState): Committed {
  const { server, store } = ctx;
  const seenEvents = new Map<string, ReadonlySet<string>>();
  for (const part of batch.parts) {
    const id = part.session.id;
    if (part.role === "new") continue;
    seenEvents.set(id, state.streaming.get(id) ?? store.seenEventIds(server, id));
  }
  const { result, waited, nextOffsets } = buildPollResult({
    server,
    observedAtNs: ctx.observedAtNs,
    parts: batch.parts,
    seenEvents,
    waitForRunningSinceNs: ctx.waitForRunningSinceNs(),
  });
  ctx.throwIfAborted();
  const counts = store.commitPoll(result, ctx.sinks, ctx.policy, batch.cursorMs);
  ctx.metrics.applyCommitted(counts);

  let streaming = state.streaming;
  for (const part of batch.parts) {
    const id = part.session.id;
    if (part.last && !streaming.has(id)) continue;
    const next = new Map(streaming);
    if (part.last) next.delete(id);
    else {
      const seen = new Set(seenEvents.get(id) ?? []);
      for (const taken of result.newEvents) if (taken.session.id === id) seen.add(taken.event.id);
      next.set(id, seen);
    }
    streaming = next;
  }
  const took = new Map<string, number>();
  for (const taken of result.newEvents)
    took.set(taken.session.id, (took.get(taken.session.id) ?? 0) + 1);
  const memory = rememberCommitted(
    state.memory,
    batch.parts.map((part) => ({
      session: part.session,
      first: part.first,
      last: part.last,
      known: part.role === "refresh",
      took: took.get(part.session.id) ?? 0,
      readAtMs: part.rereadAtMs ?? ctx.startedMs,
      waited: waited.get(part.session.id) ?? [],
      nextOffset: nextOffsets.get(part.session.id) ?? part.fromOffset + part.events.length,
      ...(part.rereadAtMs === undefined ? {} : { rereadAtMs: part.rereadAtMs }),
    })),
  );
  return {
    state: { memory, streaming },
    newSessions: result.newSessions.length,
    newEvents: result.newEvents.length,
  };
}
