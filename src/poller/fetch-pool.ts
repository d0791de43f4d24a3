// Reads the events of the planned sessions ahead of the commits: up to `concurrency` requests in
// flight at any time, each session read page by page into a bounded buffer, and handed on in plan
// order as chunks, so one huge session streams through instead of being collected whole.
import type { RestoreEvent, RestoreSession } from "../vbo/types.ts";
import type { WorkItem } from "./plan.ts";

export type Chunk =
  | {
      readonly kind: "events";
      /** "new": never committed; "refresh": committed while running. */
      readonly role: "new" | "refresh";
      readonly session: RestoreSession;
      readonly events: readonly RestoreEvent[];
      /** The first chunk of this session in this poll. */
      readonly first: boolean;
      /** The last chunk: every event VBO lists for the session has been handed on. */
      readonly last: boolean;
      /** When the session was re-read by id (epoch ms), on its first chunk. */
      readonly rereadAtMs?: number;
    }
  /** A running session the server no longer has (404). */
  | { readonly kind: "vanished"; readonly id: string }
  | Extract<WorkItem, { kind: "mark" }>;

export interface FetchPoolOptions {
  /** Requests in flight at most. */
  readonly concurrency: number;
  /** Events per chunk at most (a page of VBO's may overshoot it once). */
  readonly chunkEvents: number;
  /** Events read ahead of the consumer at most, before reading pauses (besides the next chunk). */
  readonly aheadEvents: number;
  /** Sessions read ahead of the consumer at most (sessions without events cost nothing else). */
  readonly aheadSessions: number;
}

export interface EventSource {
  getSession(id: string, signal: AbortSignal): Promise<RestoreSession>;
  listEvents(sessionId: string, signal: AbortSignal): AsyncIterable<RestoreEvent>;
  nowMs(): number;
}

interface Slot {
  readonly item: WorkItem;
  readonly id: string;
  session: RestoreSession | null;
  iterator: AsyncIterator<RestoreEvent> | null;
  buffer: RestoreEvent[];
  reading: boolean;
  done: boolean;
  vanished: boolean;
  error: unknown;
  handedOn: boolean;
  rereadAtMs: number | undefined;
}

function isNotFound(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as { reason?: unknown }).reason === "not_found"
  );
}

/** `plan` gets the signal that ends with the pool: a listing still running then is cancelled. */
export async function* fetchInOrder(
  plan: (signal: AbortSignal) => AsyncIterable<WorkItem>,
  source: EventSource,
  options: FetchPoolOptions,
  outer?: AbortSignal,
): AsyncGenerator<Chunk> {
  const concurrency = Math.max(1, options.concurrency);
  const chunkEvents = Math.max(1, options.chunkEvents);
  // Requests still running when the consumer stops (failure, shutdown) are cancelled.
  const stop = new AbortController();
  const signal = outer ? AbortSignal.any([outer, stop.signal]) : stop.signal;
  const items = plan(signal)[Symbol.asyncIterator]();
  const window: Slot[] = [];
  let planDone = false;
  let planPulling = false;
  let planError: unknown = null;
  let active = 0;
  let buffered = 0;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  const read = async (slot: Slot): Promise<void> => {
    slot.reading = true;
    active++;
    try {
      if (slot.session === null) {
        try {
          slot.session = await source.getSession(slot.id, signal);
          slot.rereadAtMs = source.nowMs();
        } catch (error) {
          if (!isNotFound(error)) throw error;
          slot.vanished = true;
          slot.done = true;
          return;
        }
      }
      slot.iterator ??= source.listEvents(slot.session.id, signal)[Symbol.asyncIterator]();
      while (slot.buffer.length < chunkEvents) {
        const next = await slot.iterator.next();
        if (next.done) {
          slot.done = true;
          break;
        }
        slot.buffer.push(next.value);
        buffered++;
      }
    } catch (error) {
      slot.error = error;
      slot.done = true;
    } finally {
      slot.reading = false;
      active--;
      pump();
      notify();
    }
  };

  const pullPlan = async (): Promise<void> => {
    planPulling = true;
    try {
      const next = await items.next();
      if (next.done) planDone = true;
      else window.push(slotFor(next.value));
    } catch (error) {
      planError = error;
      planDone = true;
    } finally {
      planPulling = false;
      pump();
      notify();
    }
  };

  const slotFor = (item: WorkItem): Slot => ({
    item,
    id: item.kind === "new" ? item.session.id : item.kind === "refresh" ? item.id : "",
    session: item.kind === "new" ? item.session : item.kind === "refresh" ? item.listed : null,
    iterator: null,
    buffer: [],
    reading: false,
    done: item.kind === "mark",
    vanished: false,
    error: null,
    handedOn: false,
    rereadAtMs: undefined,
  });

  function pump(): void {
    if (signal.aborted) return;
    let unfinished = 0;
    for (const [index, slot] of window.entries()) {
      if (slot.done) continue;
      unfinished++;
      if (slot.reading || slot.buffer.length >= chunkEvents || active >= concurrency) continue;
      // Past the read-ahead budget only the consumer's next session goes on reading.
      if (index > 0 && buffered >= options.aheadEvents) continue;
      void read(slot);
    }
    const room =
      unfinished < concurrency &&
      buffered < options.aheadEvents &&
      window.length < Math.max(1, options.aheadSessions);
    if (!planDone && !planPulling && room) void pullPlan();
  }

  signal.addEventListener("abort", notify, { once: true });
  try {
    pump();
    for (;;) {
      const head = window[0];
      if (head === undefined) {
        if (planDone) {
          if (planError !== null) throw planError;
          return;
        }
      } else if (head.item.kind === "mark") {
        window.shift();
        pump();
        yield head.item;
        continue;
      } else if (head.error !== null) {
        throw head.error;
      } else if (head.vanished) {
        window.shift();
        pump();
        yield { kind: "vanished", id: head.id };
        continue;
      } else if (head.session !== null && (head.done || head.buffer.length >= chunkEvents)) {
        const events = head.buffer.splice(0, chunkEvents);
        buffered -= events.length;
        const last = head.done && head.buffer.length === 0;
        const first = !head.handedOn;
        head.handedOn = true;
        if (last) window.shift();
        pump();
        yield {
          kind: "events",
          role: head.item.kind === "new" ? "new" : "refresh",
          session: head.session,
          events,
          first,
          last,
          ...(first && head.rereadAtMs !== undefined ? { rereadAtMs: head.rereadAtMs } : {}),
        };
        continue;
      }
      if (signal.aborted) throw abortReason(signal);
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal.removeEventListener("abort", notify);
    stop.abort(new DOMException("the poll ended", "AbortError"));
    for (const slot of window) void slot.iterator?.return?.().catch(() => undefined);
    void items.return?.(undefined).catch(() => undefined);
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException("aborted", "AbortError");
}
