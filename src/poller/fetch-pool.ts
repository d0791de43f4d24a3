// Reads the events of the planned sessions ahead of the commits: up to `concurrency` requests in
// flight at any time, each session read page by page into a bounded buffer, and handed on in plan
// order as chunks, so one huge session streams through instead of being collected whole. An event
// that cannot be read, or an events list that answers 404, is quarantined and the session handed
// on without its last chunk: it stays running for the state and its events are read again later.
import type { RestoreEvent, RestoreSession } from "../vbo/types.ts";
import { type OnUnreadable, RecordError, type UnreadableRecord } from "../vbo/unreadable.ts";
import type { WorkItem } from "./plan.ts";

export type Chunk =
  | {
      readonly kind: "events";
      /** "new": never committed; "refresh": committed while running. */
      readonly role: "new" | "refresh";
      readonly session: RestoreSession;
      readonly events: readonly RestoreEvent[];
      /** The offset (VBO's order) of the first of these events. */
      readonly fromOffset: number;
      /** The first chunk of this session in this poll. */
      readonly first: boolean;
      /**
       * The last chunk: every event VBO lists for the session has been read and handed on. A
       * session with a record quarantined in this read has none (its read ends without it).
       */
      readonly last: boolean;
      /**
       * The read ended, but a record of it was quarantined: the chunk is not last, unless the
       * session is given up (finished without that record).
       */
      readonly troubled: boolean;
      /** When the session was re-read by id (epoch ms), on its first chunk. */
      readonly rereadAtMs?: number;
    }
  /** A running session the server no longer has (404, or deleted says the change feed). */
  | { readonly kind: "vanished"; readonly id: string }
  /** A running session whose events since its offset show nothing new: nothing to commit. */
  | { readonly kind: "unchanged"; readonly id: string; readonly rereadAtMs: number }
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
  listEvents(
    sessionId: string,
    signal: AbortSignal,
    fromOffset: number,
    onUnreadable: OnUnreadable,
  ): AsyncIterable<RestoreEvent>;
  /** Keeps a record that could not be read (an event, a session, an events list). */
  quarantine(record: UnreadableRecord): void;
  /** Whether events listed from a session's offset hold anything not committed as it is now. */
  showsNews(sessionId: string, events: readonly RestoreEvent[]): boolean;
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
  unchanged: boolean;
  /** A record of this session's read was quarantined: the read has no last chunk. */
  troubled: boolean;
  error: unknown;
  /** Events handed on so far. */
  handedOn: number;
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
      const item = slot.item;
      const probe = item.kind === "refresh" && item.probe;
      if (slot.session === null && !probe && !(await reread(slot))) return;
      const onUnreadable = (record: UnreadableRecord) => {
        slot.troubled = true;
        source.quarantine(record);
      };
      slot.iterator ??= source
        .listEvents(slot.id, signal, item.kind === "refresh" ? item.fromOffset : 0, onUnreadable)
        [Symbol.asyncIterator]();
      let ended = false;
      while (slot.buffer.length < chunkEvents) {
        const next = await slot.iterator.next();
        if (next.done) {
          ended = true;
          break;
        }
        slot.buffer.push(next.value);
        buffered++;
      }
      if (slot.session === null) {
        // A probe: the session is re-read by id only when its events show news.
        slot.rereadAtMs = source.nowMs();
        if (ended && !source.showsNews(slot.id, slot.buffer)) {
          buffered -= slot.buffer.length;
          slot.buffer = [];
          slot.unchanged = true;
          slot.done = true;
          return;
        }
        if (!(await reread(slot))) return;
      }
      slot.done = ended;
    } catch (error) {
      try {
        await failed(slot, error);
      } catch (again) {
        slot.error = again;
      }
      slot.done = true;
    } finally {
      slot.reading = false;
      active--;
      pump();
      notify();
    }
  };

  /**
   * A read that failed: an events list that answers 404 while the session is there (listed, or
   * read by id now), and a session that cannot be read by id, are quarantined; a running session
   * gone with its events has vanished; anything else fails the poll.
   */
  const failed = async (slot: Slot, error: unknown): Promise<void> => {
    if (error instanceof RecordError && error.record !== null && slot.item.kind === "refresh") {
      // Read again by id, the running session no longer decodes: it stays as committed.
      source.quarantine(error.record);
      buffered -= slot.buffer.length;
      slot.buffer = [];
      slot.unchanged = true;
      return;
    }
    if (!isNotFound(error)) throw error;
    if (slot.session === null && !(await reread(slot))) return;
    source.quarantine({
      kind: "event_list",
      recordId: null,
      sessionId: slot.id,
      position: null,
      reason: "not_found",
      field: null,
      message: error instanceof Error ? error.message : String(error),
      raw: "",
    });
    slot.troubled = true;
  };

  /** Reads the session by id; false when the server no longer has it. */
  const reread = async (slot: Slot): Promise<boolean> => {
    try {
      slot.session = await source.getSession(slot.id, signal);
      slot.rereadAtMs = source.nowMs();
      return true;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      buffered -= slot.buffer.length;
      slot.buffer = [];
      slot.vanished = true;
      slot.done = true;
      return false;
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
    id: item.kind === "new" ? item.session.id : item.kind === "mark" ? "" : item.id,
    session: item.kind === "new" ? item.session : item.kind === "refresh" ? item.listed : null,
    iterator: null,
    buffer: [],
    reading: false,
    done: item.kind === "mark" || item.kind === "gone",
    vanished: item.kind === "gone",
    unchanged: false,
    troubled: false,
    error: null,
    handedOn: 0,
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
      } else if (head.unchanged) {
        window.shift();
        pump();
        yield { kind: "unchanged", id: head.id, rereadAtMs: head.rereadAtMs ?? source.nowMs() };
        continue;
      } else if (head.session !== null && (head.done || head.buffer.length >= chunkEvents)) {
        const events = head.buffer.splice(0, chunkEvents);
        buffered -= events.length;
        const ended = head.done && head.buffer.length === 0;
        const last = ended && !head.troubled;
        const first = head.handedOn === 0;
        const fromOffset =
          (head.item.kind === "refresh" ? head.item.fromOffset : 0) + head.handedOn;
        head.handedOn += events.length;
        if (ended) window.shift();
        pump();
        yield {
          kind: "events",
          // Only its first chunk can be new: a batch commits it before the next chunk's.
          role: head.item.kind === "new" && first ? "new" : "refresh",
          session: head.session,
          events,
          fromOffset,
          first,
          last,
          troubled: ended && head.troubled,
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
