// Pure: what one committed batch adds to each metric, from the poll result and the sessions' labels.
import {
  boundLabel,
  DEFAULT_LABEL_MAX_LENGTH,
  type GuardedLabel,
  rawLabel,
} from "../pipeline/labels.ts";
import type { PollResult } from "../pipeline/types.ts";
import type { RestoreSession } from "../vbo/types.ts";

/** The label values a session is counted under, fixed when it is first seen. */
export interface SessionLabels {
  readonly organization: string;
  readonly restoreType: string;
  readonly clientHost: string;
}

export type CounterMetric =
  | "vbo_restore_sessions_total"
  | "vbo_restore_sessions_finished_total"
  | "vbo_restore_events_total"
  | "vbo_restore_items_bytes_total"
  | "vbo_label_overflow_total"
  | "vbo_client_host_overflow_total"
  | "vbo_audited_restore_events_total";

export interface CounterIncrement {
  readonly metric: CounterMetric;
  /** Label values in the catalogue's label order. */
  readonly labels: readonly string[];
  readonly value: number;
}

export interface DurationObservation {
  /** server, organization, restore_type */
  readonly labels: readonly [string, string, string];
  readonly seconds: number;
}

export interface LastSessionTimestamp {
  /** server, organization, restore_type, client_host */
  readonly labels: readonly [string, string, string, string];
  readonly seconds: number;
}

export interface BatchCounts {
  readonly counters: readonly CounterIncrement[];
  readonly durations: readonly DurationObservation[];
  readonly lastSessions: readonly LastSessionTimestamp[];
}

/** Seconds between a session's start and end, or null when it has no end. */
export function sessionDurationSeconds(session: RestoreSession): number | null {
  if (session.endTime === null) return null;
  const ns = session.endTime.ns - session.creationTime.ns;
  return ns < 0n ? 0 : Number(ns) / 1e9;
}

/**
 * The increments of one batch. `labelsOf` gives each session's fixed labels (new sessions were
 * assigned theirs before this is called).
 */
export function countBatch(
  result: PollResult,
  labelsOf: (sessionId: string) => SessionLabels,
  maxLength = DEFAULT_LABEL_MAX_LENGTH,
  admit: (label: GuardedLabel, value: string) => string = (_, value) => value,
): BatchCounts {
  const server = result.server;
  const label = (name: GuardedLabel, raw: string | null | undefined) =>
    admit(name, boundLabel(rawLabel(raw), maxLength));
  const sums = new Map<string, CounterIncrement>();
  const add = (metric: CounterMetric, labels: readonly string[], value: number) => {
    const key = `${metric}\u0000${labels.join("\u0000")}`;
    const previous = sums.get(key);
    sums.set(key, { metric, labels, value: (previous?.value ?? 0) + value });
  };
  const lastSessions = new Map<string, LastSessionTimestamp>();
  for (const session of result.newSessions) {
    const l = labelsOf(session.id);
    const labels = [server, l.organization, l.restoreType, l.clientHost] as const;
    add("vbo_restore_sessions_total", labels, 1);
    const seconds = Number(session.creationTime.ns / 1_000_000n) / 1000;
    const key = labels.join("\u0000");
    if ((lastSessions.get(key)?.seconds ?? Number.NEGATIVE_INFINITY) < seconds) {
      lastSessions.set(key, { labels, seconds });
    }
  }
  const durations: DurationObservation[] = [];
  for (const session of result.finishedSessions) {
    const l = labelsOf(session.id);
    add(
      "vbo_restore_sessions_finished_total",
      [server, l.organization, l.restoreType, l.clientHost, label("result", session.result)],
      1,
    );
    const seconds = sessionDurationSeconds(session);
    if (seconds !== null)
      durations.push({ labels: [server, l.organization, l.restoreType], seconds });
  }
  for (const { session, event, watched } of result.newEvents) {
    const l = labelsOf(session.id);
    const eventType = label("event_type", event.type);
    if (watched !== undefined)
      add(
        "vbo_audited_restore_events_total",
        [server, l.organization, admit("subject", boundLabel(watched, maxLength)), eventType],
        1,
      );
    add(
      "vbo_restore_events_total",
      [
        server,
        l.organization,
        l.restoreType,
        l.clientHost,
        eventType,
        label("status", event.status),
      ],
      1,
    );
    add(
      "vbo_restore_items_bytes_total",
      [server, l.organization, l.restoreType, l.clientHost, eventType],
      Math.max(0, event.itemSizeBytes),
    );
  }
  return { counters: [...sums.values()], durations, lastSessions: [...lastSessions.values()] };
}
