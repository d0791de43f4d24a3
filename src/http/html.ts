// HTML escaping for the server-rendered pages: every dynamic value goes through escapeHtml.

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(value: string | number | null | undefined): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Characters of one value shown in a cell; the whole value stays readable on hover. */
export const SHOWN_CHARACTERS = 160;

/** An escaped value, cut to SHOWN_CHARACTERS with the whole of it in a title. */
export function escapeClipped(value: string | null | undefined, max = SHOWN_CHARACTERS): string {
  const text = value ?? "";
  const chars = Array.from(text);
  if (chars.length <= max) return escapeHtml(text);
  return `<span title="${escapeHtml(text)}">${escapeHtml(chars.slice(0, max).join(""))}…</span>`;
}
