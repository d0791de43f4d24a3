// Seeded, stateless randomness: every value is a pure function of (seed, key, salt), so any session
// can be regenerated on demand without storing it.

/** A 32-bit hash of the inputs (splitmix/murmur-style finalizer). */
export function hash32(...parts: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    let x = Math.floor(part) | 0;
    x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
    x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
    x ^= x >>> 16;
    h = Math.imul(h ^ x, 0x01000193);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A float in [0, 1) from the inputs. */
export function unit(...parts: readonly number[]): number {
  return hash32(...parts) / 0x1_0000_0000;
}

/** An integer in [min, max] from the inputs. */
export function intBetween(min: number, max: number, ...parts: readonly number[]): number {
  return min + Math.floor(unit(...parts) * (max - min + 1));
}

export function pick<T>(items: readonly T[], ...parts: readonly number[]): T {
  const item = items[Math.floor(unit(...parts) * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

/** A UUID-shaped id whose last 12 hex digits carry `tail` (so ids decode back to an index). */
export function uuidWithTail(tail: number, ...parts: readonly number[]): string {
  const a = hash32(...parts, 1)
    .toString(16)
    .padStart(8, "0");
  const b = hash32(...parts, 2)
    .toString(16)
    .padStart(8, "0");
  const c = hash32(...parts, 3)
    .toString(16)
    .padStart(8, "0");
  const t = tail.toString(16).padStart(12, "0");
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${(8 + (hash32(...parts, 4) % 4)).toString(16)}${c.slice(1, 4)}-${t}`;
}

/** The tail number of a uuidWithTail id, or null when the text is not such an id. */
export function tailOf(id: string): number | null {
  const match = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-([0-9a-f]{12})$/i.exec(id);
  return match?.[1] === undefined ? null : Number.parseInt(match[1], 16);
}
