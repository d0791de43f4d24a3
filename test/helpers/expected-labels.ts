// The label rules as the README states them, written out again for the ground truth: the truth
// never uses the exporter's own mapping (src/pipeline/labels.ts), so a mapping bug fails a test.

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
  return text === "" ? "unknown" : text.toLowerCase();
}

/** The organization name as VBO sends it, `unknown` when it sent none. */
export function expectedOrganization(raw: unknown): string {
  return typeof raw === "string" && raw !== "" ? raw : "unknown";
}

/** The machine name before ` (via: …)`, `unknown` when VBO sent none. */
export function expectedClientHost(raw: unknown): string {
  const text = typeof raw === "string" ? raw : "";
  const via = text.toLowerCase().lastIndexOf("(via:");
  const host = (via === -1 ? text : text.slice(0, via)).trim();
  return host === "" ? "unknown" : host;
}

/** result, status and event_type: VBO's value lower-cased, `unknown` when empty. */
export function expectedEnum(raw: unknown): string {
  const text = typeof raw === "string" ? raw.trim().toLowerCase() : "";
  return text === "" ? "unknown" : text;
}
