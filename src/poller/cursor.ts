// Pure: how far reading one slice moves the poll cursor, never past VBO's own clock.
import type { RestoreSession } from "../vbo/types.ts";
import type { Slice } from "./diff.ts";

/** A VBO clock further off than this is a broken Date header, not believed (still reported). */
export const MAX_TRUSTED_CLOCK_OFFSET_MS = 24 * 3_600_000;

/** The newest creationTime listed (epoch ms); undefined when nothing was listed. */
export function newestCreationMs(sessions: Iterable<RestoreSession>): number | undefined {
  let newest: bigint | undefined;
  for (const session of sessions) {
    if (newest === undefined || session.creationTime.ns > newest) newest = session.creationTime.ns;
  }
  return newest === undefined ? undefined : Number(newest / 1_000_000n);
}

/**
 * Where the cursor may move once a slice has been read; undefined leaves it where it is.
 * A closed slice is complete up to its end and the open one up to the newest session it listed,
 * but neither beyond VBO's own now (`vboNowMs`, the Date of VBO's answer): the slice bounds are on
 * this host's clock and a session may be stamped in the future, while every session VBO starts
 * later is stamped at or after its now. Without a reading of VBO's clock, the bound alone counts.
 */
export function sliceCursorMs(
  slice: Slice,
  listed: Iterable<RestoreSession>,
  vboNowMs: number | undefined,
): number | undefined {
  const reached = slice.toMs ?? newestCreationMs(listed);
  if (reached === undefined || vboNowMs === undefined) return reached;
  return Math.min(reached, vboNowMs);
}

/** How many listed sessions VBO stamped more than toleranceMs after its own now. */
export function countStampedAhead(
  listed: Iterable<RestoreSession>,
  vboNowMs: number | undefined,
  toleranceMs: number,
): number {
  if (vboNowMs === undefined) return 0;
  const limitNs = BigInt(Math.floor(vboNowMs + toleranceMs)) * 1_000_000n;
  let n = 0;
  for (const session of listed) if (session.creationTime.ns > limitNs) n++;
  return n;
}
