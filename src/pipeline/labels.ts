// Pure mapping from VBO's raw session fields to the label values shared by metrics and log records.
import { createHash } from "node:crypto";

/** Most characters of a label value taken from VBO, unless configured (labelMaxLength). */
export const DEFAULT_LABEL_MAX_LENGTH = 128;

/** The labels the guard bounds besides client_host (which keeps its own table and counter). */
export const GUARDED_LABELS = [
  "organization",
  "restore_type",
  "event_type",
  "status",
  "result",
  "subject",
] as const;
export type GuardedLabel = (typeof GUARDED_LABELS)[number];

/** Distinct values admitted per server and label before the rest count as `other`. */
export type LabelLimits = Readonly<Record<GuardedLabel, number>>;

export const DEFAULT_LABEL_LIMITS: LabelLimits = {
  organization: 10_000,
  restore_type: 50,
  event_type: 50,
  status: 50,
  result: 50,
  subject: 10_000,
};

/**
 * A label value cut to `max` characters: a longer one keeps its first max-9 characters, then `~`
 * and 8 hex digits of its SHA-256, so two long values that start alike stay apart.
 */
export function boundLabel(value: string, max: number): string {
  if (value.length <= max) return value;
  const hash = createHash("sha256").update(value).digest("hex").slice(0, 8);
  return `${value.slice(0, Math.max(0, max - 9))}~${hash}`;
}

const RESTORE_TYPES: Readonly<Record<string, string>> = {
  vex: "exchange",
  veod: "onedrive",
  vesp: "sharepoint",
  vet: "teams",
};

/** exchange | onedrive | sharepoint | teams, or the raw value lower-cased ("unknown" when empty). */
export function restoreTypeLabel(rawType: string | null | undefined): string {
  const lowered = (rawType ?? "").trim().toLowerCase();
  if (lowered === "") return "unknown";
  return RESTORE_TYPES[lowered] ?? lowered;
}

export interface ClientHostParts {
  /** The restoring machine's name; "unknown" when VBO sent nothing. */
  readonly host: string;
  /** The gateway address after `via:` (Cloud Connect), when present. */
  readonly gateway: string | null;
}

// The last `(via: …)`, wherever it stands: a server may send more text after it.
const VIA = /^(.*)\(\s*via:\s*([^)]*?)\s*\)/i;

/** Splits `BXYDEV01 (via: 203.0.113.10)` into host and gateway; bare names have no gateway. */
export function splitClientHost(raw: string | null | undefined): ClientHostParts {
  const text = (raw ?? "").trim();
  const match = VIA.exec(text);
  if (match) {
    const host = (match[1] ?? "").trim();
    const gateway = (match[2] ?? "").trim();
    return { host: host === "" ? "unknown" : host, gateway: gateway === "" ? null : gateway };
  }
  return { host: text === "" ? "unknown" : text, gateway: null };
}

/** A raw enum value as a label: lower-cased, "unknown" when empty. */
export function rawLabel(raw: string | null | undefined): string {
  const lowered = (raw ?? "").trim().toLowerCase();
  return lowered === "" ? "unknown" : lowered;
}

/** The organization label: the name as VBO sends it, "unknown" when missing. */
export function organizationLabel(raw: string | null | undefined): string {
  return raw === null || raw === undefined || raw === "" ? "unknown" : raw;
}
