// The label rules as the README states them, written out again for the ground truth: the truth
// never uses the exporter's own mapping (src/pipeline/labels.ts), so a mapping bug fails a test.
import { createHash } from "node:crypto";

/** The README's default labelMaxLength. */
export const LABEL_MAX_LENGTH = 128;

/** Longer than the limit: the first limit-9 characters, `~`, 8 hex digits of the SHA-256. */
export function expectedBounded(value: string, max = LABEL_MAX_LENGTH): string {
  if ([...value].length <= max && value.length <= max) return value;
  const digest = createHash("sha256").update(value, "utf8").digest("hex");
  return `${value.slice(0, max - 9)}~${digest.slice(0, 8)}`;
}

/** VBO's restore session `type` names (../shared/vbo-api/README.md: Enums) and their labels. */
const RESTORE_TYPE_NAMES: ReadonlyMap<string, string> = new Map([
  ["Vex", "exchange"],
  ["Veod", "onedrive"],
  ["Vesp", "sharepoint"],
  ["Vet", "teams"],
]);

/** `exchange`, `onedrive`, `sharepoint`, `teams`, or VBO's raw value lower-cased. */
export function expectedRestoreType(raw: unknown): string {
  const text = typeof raw === "string" ? raw.trim() : "";
  for (const [name, label] of RESTORE_TYPE_NAMES) {
    if (name.toLowerCase() === text.toLowerCase()) return label;
  }
  return text === "" ? "unknown" : expectedBounded(text.toLowerCase());
}

/** The organization name as VBO sends it, `unknown` when it sent none. */
export function expectedOrganization(raw: unknown): string {
  return typeof raw === "string" && raw !== "" ? expectedBounded(raw) : "unknown";
}

/** The machine name before ` (via: …)`, `unknown` when VBO sent none. */
export function expectedClientHost(raw: unknown): string {
  const text = typeof raw === "string" ? raw : "";
  const via = text.toLowerCase().lastIndexOf("(via:");
  const host = (via === -1 ? text : text.slice(0, via)).trim();
  return host === "" ? "unknown" : expectedBounded(host);
}

/** result, status and event_type: VBO's value lower-cased, `unknown` when empty. */
export function expectedEnum(raw: unknown): string {
  const text = typeof raw === "string" ? raw.trim().toLowerCase() : "";
  return text === "" ? "unknown" : expectedBounded(text);
}
