// Pure: a record's texts bounded so Loki takes the record (it refuses a line whose structured
// metadata passes 64 KB, and the record would then wait in the dead letters): a long value keeps
// its start and says how long it was; ids are never cut, as records are keyed by them.
import type { Attribute } from "./records.ts";

/** Most characters of one text attribute value. */
export const MAX_ATTRIBUTE_CHARS = 2048;
/** Most characters of a record's body (the event's message). */
export const MAX_BODY_CHARS = 32_768;
/** Most UTF-8 bytes of all attribute keys and text values of one record (Loki's limit is 64 KB). */
export const MAX_ATTRIBUTE_BYTES = 48_000;
/** A value cut to fit the total budget keeps at least this many characters. */
const MIN_KEPT_CHARS = 128;

/** `text` cut to at most `max` characters, ending in a marker that says how long it was. */
export function boundedText(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = `… [cut: ${text.length} characters in all]`;
  let keep = Math.max(0, max - marker.length);
  // Never split a surrogate pair: half a character is not valid UTF-8 on the wire.
  const last = text.charCodeAt(keep - 1);
  if (keep > 0 && last >= 0xd800 && last <= 0xdbff) keep -= 1;
  return `${text.slice(0, keep)}${marker}`;
}

const isId = (key: string) => key.endsWith(".id");

/**
 * The attributes with every text value at most MAX_ATTRIBUTE_CHARS and, when they still pass
 * MAX_ATTRIBUTE_BYTES together, the longest values cut further in turn. Order and keys kept.
 */
export function boundAttributes(attributes: readonly Attribute[]): readonly Attribute[] {
  // The common case costs one pass over the lengths: nothing long, and even at 3 bytes a
  // character everything fits.
  let chars = 0;
  let long = false;
  for (const a of attributes) {
    chars += a.key.length + (a.value.type === "string" ? a.value.value.length : 8);
    if (a.value.type === "string" && a.value.value.length > MAX_ATTRIBUTE_CHARS) long = true;
  }
  if (!long && chars * 3 <= MAX_ATTRIBUTE_BYTES) return attributes;
  const items = attributes.map((a) =>
    a.value.type === "string" && !isId(a.key) && a.value.value.length > MAX_ATTRIBUTE_CHARS
      ? {
          key: a.key,
          value: {
            type: "string" as const,
            value: boundedText(a.value.value, MAX_ATTRIBUTE_CHARS),
          },
        }
      : a,
  );
  const bytes = (a: Attribute) =>
    Buffer.byteLength(a.key) + (a.value.type === "string" ? Buffer.byteLength(a.value.value) : 8);
  let total = items.reduce((sum, a) => sum + bytes(a), 0);
  while (total > MAX_ATTRIBUTE_BYTES) {
    let longest = -1;
    for (let i = 0; i < items.length; i++) {
      const a = items[i];
      if (a === undefined || a.value.type !== "string" || isId(a.key)) continue;
      if (a.value.value.length <= MIN_KEPT_CHARS * 2) continue;
      const best = longest === -1 ? undefined : items[longest];
      if (best === undefined || bytes(a) > bytes(best)) longest = i;
    }
    const target = items[longest];
    if (target === undefined || target.value.type !== "string") break;
    const before = bytes(target);
    const cut = {
      key: target.key,
      value: {
        type: "string" as const,
        value: boundedText(target.value.value, Math.floor(target.value.value.length / 2)),
      },
    };
    items[longest] = cut;
    total += bytes(cut) - before;
  }
  return items;
}
