// An order-independent digest of record identities (count plus two 32-bit sums of FNV-1a hashes),
// computed the same way by the simulator side (its truth) and the receiver (what arrived).

/** The identity of an audit record as the project promises it: one per event, one per finished session. */
export const eventKey = (sessionId: string, eventId: string): string =>
  `event:${sessionId.toLowerCase()}:${eventId.toLowerCase()}`;
export const sessionKey = (sessionId: string): string => `session:${sessionId.toLowerCase()}`;

export interface Digest {
  count: number;
  a: number;
  b: number;
}

export const emptyDigest = (): Digest => ({ count: 0, a: 0, b: 0 });

function fnv1a(text: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function addToDigest(digest: Digest, key: string): void {
  digest.count++;
  digest.a = (digest.a + fnv1a(key, 0x811c9dc5)) >>> 0;
  digest.b = (digest.b + fnv1a(key, 0x050c5d1f)) >>> 0;
}

export const sameDigest = (x: Digest, y: Digest): boolean =>
  x.count === y.count && x.a === y.a && x.b === y.b;
