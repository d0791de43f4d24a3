// A record VBO sent that cannot be understood (a null where a value is required, a wrong type, an
// events list that answers 404): what the poller quarantines instead of failing the whole poll.
import { VboError } from "./errors.ts";

/** What kind of record could not be read: a session, one event, or a session's events list. */
export const UNREADABLE_KINDS = ["session", "event", "event_list"] as const;
export type UnreadableKind = (typeof UNREADABLE_KINDS)[number];

/** Why (a bounded list: the metric's reason label). */
export const UNREADABLE_REASONS = [
  "missing_field",
  "wrong_type",
  "bad_timestamp",
  "not_an_object",
  "not_found",
] as const;
export type UnreadableReason = (typeof UNREADABLE_REASONS)[number];

/** One record that could not be read, as the poller keeps it. Texts are scrubbed and bounded. */
export interface UnreadableRecord {
  readonly kind: UnreadableKind;
  /** The record's own id when it has a usable one (a session's id, an event's id). */
  readonly recordId: string | null;
  /** The session it belongs to (the session itself for kind session, when it has an id). */
  readonly sessionId: string | null;
  /** Its position in VBO's listing (events: the offset in the session's events), when listed. */
  readonly position: number | null;
  readonly reason: UnreadableReason;
  /** The field at fault; null when the whole record is (not an object, a 404). */
  readonly field: string | null;
  /** The decoding error's sentence. */
  readonly message: string;
  /** The record's JSON as VBO sent it, scrubbed of secrets and cut to MAX_RAW_CHARS. */
  readonly raw: string;
}

/** Told of each record a listing skipped because it could not be read. */
export type OnUnreadable = (record: UnreadableRecord) => void;

/** Most characters of a record's JSON kept. */
export const MAX_RAW_CHARS = 4_096;

/** A decoding failure of one record: a bad_response that names the field and why. */
export class RecordError extends VboError {
  readonly field: string | null;
  readonly problem: UnreadableReason;
  /** Set by the client when it knows the record (a session read by id). */
  record: UnreadableRecord | null = null;

  constructor(problem: UnreadableReason, field: string | null, message: string) {
    super("bad_response", message);
    this.problem = problem;
    this.field = field;
  }
}

/** The record's JSON text for the quarantine: bounded, with secrets removed by `scrub`. */
export function rawText(value: unknown, scrub: (text: string) => string): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  const clean = scrub(text);
  return clean.length <= MAX_RAW_CHARS ? clean : `${clean.slice(0, MAX_RAW_CHARS - 1)}…`;
}

/** The id a record carries, when it is usable text or a number. */
export function rawId(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return null;
  const id = (value as Record<string, unknown>).id;
  if (typeof id === "string" && id !== "") return id;
  return typeof id === "number" && Number.isFinite(id) ? String(id) : null;
}
