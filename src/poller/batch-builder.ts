// Cuts the stream of read chunks into commits bounded by events, bytes and (a safety cap) sessions.
// A session larger than a batch is split: its first part is committed as new (still running for
// the store), later parts as updates, and only its last part can finish it.
import type { Unread } from "../pipeline/types.ts";
import type { RestoreEvent, RestoreSession } from "../vbo/types.ts";

export interface BatchBounds {
  readonly maxEvents: number;
  /** Estimated bytes of the events of one batch (see eventBytes). */
  readonly maxBytes: number;
  readonly maxSessions: number;
}

/** What one batch holds of one session. */
export interface BatchPart {
  readonly session: RestoreSession;
  /** "new": the session's first part, never committed before; "refresh": already committed. */
  readonly role: "new" | "refresh";
  readonly events: readonly RestoreEvent[];
  /** The offset (VBO's order) of the first of these events. */
  readonly fromOffset: number;
  /** The session's first part in this poll. */
  readonly first: boolean;
  /** The session's last part in this poll: only it may finish the session. */
  readonly last: boolean;
  /** Take every event as it is now, Running or not (a session the server no longer has). */
  readonly takeAll: boolean;
  /** When the session was re-read by id (epoch ms). */
  readonly rereadAtMs?: number;
  /** Set on the last part of an ended session finished without its unreadable records. */
  readonly unread?: Unread;
}

export interface Batch {
  readonly parts: readonly BatchPart[];
  /** Where the cursor may move once this batch is committed. */
  readonly cursorMs?: number;
}

/** A piece of one session's read, in stream order (the shape the fetch pool hands on). */
export type SessionPiece = Omit<BatchPart, "takeAll"> & { readonly takeAll?: boolean };

const EVENT_OVERHEAD_BYTES = 400;

/** A rough size of an event in memory: fixed fields plus its texts (UTF-16). */
export function eventBytes(event: RestoreEvent): number {
  const text =
    event.message.length +
    (event.title?.length ?? 0) +
    (event.itemName?.length ?? 0) +
    (event.source?.length ?? 0) +
    (event.target?.length ?? 0);
  return EVENT_OVERHEAD_BYTES + 2 * text;
}

export interface BatchBuilder {
  /** Adds a piece; returns the batches it filled, to commit now, in order. */
  add(piece: SessionPiece): Batch[];
  /** Everything added so far may move the cursor to `cursorMs` once committed. */
  mark(cursorMs: number): void;
  /** The batch still open (with its cursor), or null when there is nothing to commit. */
  flush(): Batch | null;
}

export function createBatchBuilder(bounds: BatchBounds): BatchBuilder {
  const maxEvents = Math.max(1, bounds.maxEvents);
  const maxSessions = Math.max(1, bounds.maxSessions);
  let parts: BatchPart[] = [];
  let events = 0;
  let bytes = 0;
  let cursorMs: number | undefined;

  const full = () => events >= maxEvents || bytes >= bounds.maxBytes || parts.length >= maxSessions;
  const take = (): Batch => {
    const batch: Batch = cursorMs === undefined ? { parts } : { parts, cursorMs };
    parts = [];
    events = 0;
    bytes = 0;
    cursorMs = undefined;
    return batch;
  };
  const append = (piece: SessionPiece, list: readonly RestoreEvent[], last: boolean) => {
    const previous = parts.at(-1);
    if (previous !== undefined && previous.session.id === piece.session.id) {
      // The same session's next piece: one part per session and batch.
      parts[parts.length - 1] = {
        ...previous,
        session: piece.session,
        events: [...previous.events, ...list],
        last,
        ...(piece.unread === undefined ? {} : { unread: piece.unread }),
      };
      return;
    }
    parts.push({ ...piece, takeAll: piece.takeAll ?? false, events: list, last });
  };

  return {
    add(piece) {
      const ready: Batch[] = [];
      let rest = piece.events;
      let continued = false;
      for (;;) {
        if (continued) {
          // A session cut by the bound goes on in the next batch, as already committed.
          const fromOffset = piece.fromOffset + (piece.events.length - rest.length);
          piece = { ...piece, role: "refresh", first: false, fromOffset, events: rest };
        }
        let n = 0;
        while (n < rest.length && events < maxEvents && bytes < bounds.maxBytes) {
          bytes += eventBytes(rest[n] as RestoreEvent);
          events++;
          n++;
        }
        const taken = n === rest.length ? rest : rest.slice(0, n);
        rest = n === rest.length ? [] : rest.slice(n);
        append(piece, taken, piece.last && rest.length === 0);
        if (full()) ready.push(take());
        if (rest.length === 0) return ready;
        continued = true;
      }
    },
    mark(ms) {
      cursorMs = cursorMs === undefined ? ms : Math.max(cursorMs, ms);
    },
    flush() {
      return parts.length === 0 && cursorMs === undefined ? null : take();
    },
  };
}
