// Pure mapping PollResult → OTLP log records: the audit record contract lives here and only here.

import { restoreTypeLabel, splitClientHost } from "../pipeline/labels.ts";
import type { PollResult, SessionEvent, Unread } from "../pipeline/types.ts";
import type { RestoreEvent, RestoreSession } from "../vbo/types.ts";
import { boundAttributes, boundedText, MAX_BODY_CHARS } from "./bounded-text.ts";
import { otlpTimeUnixNano } from "./record-time.ts";

export const SERVICE_NAME = "vbo-restore-exporter";
export const EVENT_RECORD_NAME = "vbo.restore.event";
export const SESSION_RECORD_NAME = "vbo.restore.session";

/** A typed attribute value: JavaScript numbers do not say whether they are ints or doubles. */
export type AttributeValue =
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "int"; readonly value: number }
  | { readonly type: "double"; readonly value: number };

export interface Attribute {
  readonly key: string;
  readonly value: AttributeValue;
}

/** One log record as stored in the outbox and sent; attribute order is part of the record. */
export interface LogRecord {
  /** Stable identity (`event:<session>:<event>`, `session:<id>`): the outbox keeps one per key. */
  readonly key: string;
  /** The configured VBO server name (also a resource attribute). */
  readonly server: string;
  readonly eventName: string;
  /** Nanoseconds since the epoch; 0 when the source time cannot be expressed (see record-time). */
  readonly timeUnixNano: bigint;
  readonly observedTimeUnixNano: bigint;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: string;
  readonly resource: readonly Attribute[];
  readonly attributes: readonly Attribute[];
}

export interface RecordContext {
  readonly serviceVersion: string;
  readonly instanceId: string;
}

export interface Severity {
  readonly number: number;
  readonly text: string;
}

const INFO: Severity = { number: 9, text: "INFO" };
const WARN: Severity = { number: 13, text: "WARN" };
const ERROR: Severity = { number: 17, text: "ERROR" };

const EVENT_SEVERITY: Readonly<Record<string, Severity>> = {
  success: INFO,
  running: INFO,
  warning: WARN,
  cancelled: WARN,
  skipped: WARN,
  failed: ERROR,
};

/** Severity of an event status (Success, Running → INFO; Warning, Cancelled, Skipped → WARN; Failed → ERROR). */
export function eventSeverity(status: string): Severity {
  return EVENT_SEVERITY[status.trim().toLowerCase()] ?? INFO;
}

/** Severity of a finished session's result (Success → INFO, Warning → WARN, Failed → ERROR). */
export function sessionSeverity(result: string): Severity {
  return EVENT_SEVERITY[result.trim().toLowerCase()] ?? INFO;
}

/** Collects attributes in order, omitting null, undefined and empty strings. */
class AttributeList {
  readonly items: Attribute[] = [];

  string(key: string, value: string | null | undefined): this {
    if (value !== null && value !== undefined && value !== "") {
      this.items.push({ key, value: { type: "string", value } });
    }
    return this;
  }

  int(key: string, value: number | null | undefined): this {
    if (value !== null && value !== undefined && Number.isFinite(value)) {
      this.items.push({ key, value: { type: "int", value: Math.trunc(value) } });
    }
    return this;
  }

  double(key: string, value: number | null | undefined): this {
    if (value !== null && value !== undefined && Number.isFinite(value)) {
      this.items.push({ key, value: { type: "double", value } });
    }
    return this;
  }
}

/** Resource attributes of every record of one server. */
export function resourceAttributes(server: string, context: RecordContext): Attribute[] {
  return new AttributeList()
    .string("service.name", SERVICE_NAME)
    .string("service.version", context.serviceVersion)
    .string("service.instance.id", context.instanceId)
    .string("vbo.server", server).items;
}

function sessionAttributes(list: AttributeList, session: RestoreSession): AttributeList {
  const host = splitClientHost(session.clientHost);
  return list
    .string("vbo.organization", session.organization)
    .string("vbo.restore_type", restoreTypeLabel(session.type))
    .string("vbo.session.id", session.id)
    .string("vbo.session.name", session.name)
    .string("vbo.session.type", session.type)
    .string("vbo.initiated_by", session.initiatedBy)
    .string("vbo.client_host", host.host)
    .string("vbo.client_gateway", host.gateway)
    .string("vbo.scope_name", session.scopeName)
    .string("vbo.reason", session.reason);
}

/** An item event is anything but a lifecycle entry (type None) or one that names an item. */
function isItemEvent(event: RestoreEvent): boolean {
  const type = event.type.trim().toLowerCase();
  return (type !== "" && type !== "none") || (event.itemName ?? "") !== "";
}

/** The record of one restore event. */
export function eventRecord(
  server: string,
  observedAtNs: bigint,
  { session, event, watched }: SessionEvent,
  context: RecordContext,
): LogRecord {
  const list = sessionAttributes(new AttributeList(), session)
    .string("vbo.event.id", event.id)
    .string("vbo.event.type", event.type)
    .string("vbo.event.status", event.status)
    .int("vbo.event.order", event.order)
    .string("vbo.event.title", event.title)
    .double("vbo.event.duration_seconds", event.durationSeconds);
  if (isItemEvent(event)) {
    list
      .string("vbo.item.name", event.itemName)
      .string("vbo.item.type", event.itemType)
      .int("vbo.item.size_bytes", event.itemSizeBytes)
      .string("vbo.item.source", event.source)
      .string("vbo.item.target", event.target);
  } else {
    list.string("vbo.item.source", event.source).string("vbo.item.target", event.target);
  }
  list
    .string("vbo.organization.id", event.organizationId)
    .string("vbo.backed_up_organization.id", event.backedUpOrganizationId)
    .string("vbo.user.id", event.userId)
    .string("vbo.group.id", event.groupId)
    .string("vbo.site.id", event.siteId)
    .string("vbo.team.id", event.teamId);
  if (watched !== undefined)
    list.string("vbo.audit.watched", "true").string("vbo.audit.subject", watched);
  const severity = eventSeverity(event.status);
  return {
    key: `event:${session.id}:${event.id}`,
    server,
    eventName: EVENT_RECORD_NAME,
    timeUnixNano: otlpTimeUnixNano(event.startTime.ns),
    observedTimeUnixNano: observedAtNs,
    severityNumber: severity.number,
    severityText: severity.text,
    body: boundedText(event.message, MAX_BODY_CHARS),
    resource: resourceAttributes(server, context),
    attributes: boundAttributes(list.items),
  };
}

/** Seconds between two nanosecond timestamps, exact to the nanosecond the double can hold. */
function secondsBetween(startNs: bigint, endNs: bigint): number {
  const diff = endNs - startNs;
  return Number(diff / 1_000_000_000n) + Number(diff % 1_000_000_000n) / 1e9;
}

/** The one-line summary body of a finished session (and what it was finished without). */
export function sessionSummary(session: RestoreSession, unread?: Unread): string {
  const host = splitClientHost(session.clientHost);
  const parts = [
    `${restoreTypeLabel(session.type)} restore session ${session.name ?? session.id}`,
    `finished with ${session.result || "unknown result"}`,
  ];
  if (session.initiatedBy) parts.push(`initiated by ${session.initiatedBy}`);
  parts.push(`from ${host.host}`);
  if (session.organization) parts.push(`for ${session.organization}`);
  const summary = parts.join(" ");
  if (unread === undefined) return summary;
  const missing = unread.eventList
    ? "its events list could not be read"
    : `${unread.events} of its events could not be read`;
  return `${summary}; ${missing} (never counted; see quarantine list)`;
}

/**
 * The record of one finished session (timestamp = endTime; creationTime when VBO sent none). A
 * session finished without events VBO never sent readably says how many (`unread`).
 */
export function sessionRecord(
  server: string,
  observedAtNs: bigint,
  session: RestoreSession,
  context: RecordContext,
  unread?: Unread,
): LogRecord {
  const end = session.endTime ?? session.creationTime;
  const list = sessionAttributes(new AttributeList(), session)
    .string("vbo.session.state", session.state)
    .string("vbo.session.result", session.result)
    .string("vbo.session.details", session.details)
    .string("vbo.session.start_time", session.creationTime.text)
    .string("vbo.session.end_time", session.endTime?.text)
    .double(
      "vbo.session.duration_seconds",
      session.endTime === null ? null : secondsBetween(session.creationTime.ns, session.endTime.ns),
    )
    .int("vbo.session.unreadable_events", unread?.events)
    .string("vbo.session.event_list_unreadable", unread?.eventList === true ? "true" : null);
  const severity = sessionSeverity(session.result);
  return {
    key: `session:${session.id}`,
    server,
    eventName: SESSION_RECORD_NAME,
    timeUnixNano: otlpTimeUnixNano(end.ns),
    observedTimeUnixNano: observedAtNs,
    severityNumber: severity.number,
    severityText: severity.text,
    body: boundedText(sessionSummary(session, unread), MAX_BODY_CHARS),
    resource: resourceAttributes(server, context),
    attributes: boundAttributes(list.items),
  };
}

/**
 * A record's key from what it carries on the wire (its name and attributes), for records read back
 * from an encoded request: `event:<session>:<event>` or `session:<session>`.
 */
export function recordKeyOf(eventName: string, attributes: readonly Attribute[]): string {
  const text = (key: string) => {
    const found = attributes.find((a) => a.key === key);
    return found === undefined ? "" : String(found.value.value);
  };
  return eventName === SESSION_RECORD_NAME
    ? `session:${text("vbo.session.id")}`
    : `event:${text("vbo.session.id")}:${text("vbo.event.id")}`;
}

/** Every record one poll produces: its new events in order, then its finished sessions. */
export function recordsFromPoll(poll: PollResult, context: RecordContext): LogRecord[] {
  const records = poll.newEvents.map((entry) =>
    eventRecord(poll.server, poll.observedAtNs, entry, context),
  );
  for (const session of poll.finishedSessions) {
    records.push(
      sessionRecord(poll.server, poll.observedAtNs, session, context, poll.unread?.get(session.id)),
    );
  }
  return records;
}
