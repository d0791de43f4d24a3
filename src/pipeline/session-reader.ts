// The session page's SessionReader over the pollers' VBO clients: one session's events read on
// demand, bounded in count and in reads at once, so a page left open never loads a VBO server.
import pLimit from "p-limit";
import { ExporterError } from "../errors.ts";
import type { RestoreEvent, VboClient } from "../vbo/types.ts";
import type { SessionEvent, SessionEvents, SessionReader } from "./status.ts";

export interface SessionReaderOptions {
  /** Events read at most per page view (default 2000). */
  readonly maxEvents?: number;
  /** Sessions read from VBO at once (default 2). */
  readonly concurrentReads?: number;
  /** Reads allowed to wait; beyond that a page is refused at once (default 8). */
  readonly queuedReads?: number;
}

function toView(event: RestoreEvent): SessionEvent {
  return {
    id: event.id,
    type: event.type,
    status: event.status,
    startTime: event.startTime.text,
    endTime: event.endTime?.text ?? null,
    durationSeconds: event.durationSeconds,
    title: event.title,
    message: event.message,
    itemName: event.itemName,
    itemType: event.itemType,
    itemSizeBytes: event.itemSizeBytes,
    source: event.source,
    target: event.target,
  };
}

export function createSessionReader(
  clients: ReadonlyMap<string, VboClient>,
  options: SessionReaderOptions = {},
): SessionReader {
  const maxEvents = options.maxEvents ?? 2000;
  const limit = pLimit(options.concurrentReads ?? 2);
  const queued = options.queuedReads ?? 8;
  const read = async (
    client: VboClient,
    id: string,
    signal: AbortSignal,
  ): Promise<SessionEvents> => {
    const events: SessionEvent[] = [];
    for await (const event of client.listRestoreSessionEvents(id, signal)) {
      if (events.length === maxEvents) return { events, truncated: true };
      events.push(toView(event));
    }
    return { events, truncated: false };
  };
  return {
    events(server, sessionId, signal) {
      const client = clients.get(server);
      if (client === undefined) {
        return Promise.reject(
          new ExporterError("not_found", `no VBO server named "${server}" is polled here`),
        );
      }
      if (limit.pendingCount >= queued) {
        return Promise.reject(
          new ExporterError(
            "busy",
            "too many session pages are being read from VBO at once; try again in a moment",
          ),
        );
      }
      return limit(() => {
        signal.throwIfAborted();
        return read(client, sessionId, signal);
      });
    },
  };
}
