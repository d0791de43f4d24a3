// GET /v8/Events: the change feed over the world's change log, with opaque change tokens that
// expire (age or an admin switch) and a long poll that sleeps until the next change on the timeline.
import { type Change, changesBetween, nextChangeAfter } from "./changes.ts";
import type { ApiReply } from "./routes.ts";
import type { SimulatorWorld } from "./world.ts";

export interface ChangeFeedOptions {
  /** A token older than this is outdated (default 3600 s). */
  readonly tokenTtlSeconds: number;
}

/** Where a reader stands: every change before atMs, and the first `seen` of those at atMs. */
interface Position {
  readonly generation: number;
  readonly atMs: number;
  readonly seen: number;
}

/**
 * The answer for an outdated token. The spec's RESTExceptionInfo names the code
 * OutdatedChangeToken; the status is not documented, so the simulator sends 400 like VBO's other
 * parameter errors, with a message saying what to do.
 */
export function outdatedTokenReply(): ApiReply {
  return {
    status: 400,
    body: {
      message:
        "The change token is outdated. Request the current state and a new token with from=latest.",
      errorCode: "OutdatedChangeToken",
    },
  };
}

export class ChangeFeed {
  private readonly world: SimulatorWorld;
  private readonly options: ChangeFeedOptions;
  private generation = 1;
  private readonly waiters = new Set<() => void>();

  constructor(world: SimulatorWorld, options: ChangeFeedOptions) {
    this.world = world;
    this.options = options;
  }

  /** Wakes every long poll: the world changed outside its timeline (a session added or deleted). */
  notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** The admin switch: every token issued so far is outdated. */
  expireAll(): number {
    this.generation++;
    this.notify();
    return this.generation;
  }

  private encode(position: Position): string {
    const text = `${position.generation}.${position.atMs}.${position.seen}`;
    return Buffer.from(text, "utf8").toString("base64url");
  }

  private decode(token: string): Position | null {
    const parts = Buffer.from(token, "base64url").toString("utf8").split(".");
    const [generation, atMs, seen] = parts.map(Number);
    if (parts.length !== 3 || ![generation, atMs, seen].every((n) => Number.isSafeInteger(n))) {
      return null;
    }
    return { generation: generation ?? 0, atMs: atMs ?? 0, seen: seen ?? 0 };
  }

  private pending(from: Position, nowMs: number): Change[] {
    const all = changesBetween(this.world, from.atMs, nowMs);
    let skip = 0;
    while (skip < all.length && (all[skip]?.atMs ?? 0) === from.atMs && skip < from.seen) skip++;
    return all.slice(skip);
  }

  /** One answer; waits (up to timeoutSeconds) for a first change when there is none yet. */
  async answer(input: {
    readonly from: string;
    readonly limit: number;
    readonly timeoutSeconds: number;
    readonly clock: () => number;
    /** Resolves when the caller went away (the wait ends). */
    readonly gone: Promise<void>;
  }): Promise<ApiReply> {
    const now = input.clock();
    if (input.from.toLowerCase() === "latest") {
      const atNow = changesBetween(this.world, now, now).length;
      return this.page(
        [],
        this.encode({ generation: this.generation, atMs: now, seen: atNow }),
        input.limit,
      );
    }
    const from = this.decode(input.from);
    if (from === null) {
      return {
        status: 400,
        body: {
          message: `Invalid change token "${input.from.slice(0, 64)}".`,
          errorCode: "ParameterValidationFailure",
        },
      };
    }
    const realStart = Date.now();
    const deadline = now + input.timeoutSeconds * 1000;
    let gone = false;
    void input.gone.then(() => {
      gone = true;
    });
    for (;;) {
      const at = input.clock();
      if (
        from.generation !== this.generation ||
        from.atMs < at - this.options.tokenTtlSeconds * 1000
      ) {
        return outdatedTokenReply();
      }
      const changes = this.pending(from, at);
      const waitedOut = at >= deadline || Date.now() - realStart >= input.timeoutSeconds * 1000;
      if (changes.length > 0 || waitedOut || gone)
        return this.reply(from, changes, at, input.limit);
      // Sleep until the next change on the timeline, the deadline, or a change made by hand.
      // A clock that is not the wall clock is looked at again at least every second.
      const wakeAt = Math.min(nextChangeAfter(this.world, at), deadline);
      const delay = Math.max(1, Math.min(wakeAt - at, 1000));
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, delay);
        this.waiters.add(wake);
        void input.gone.then(wake);
      });
    }
  }

  private reply(from: Position, changes: Change[], nowMs: number, limit: number): ApiReply {
    const shown = changes.slice(0, limit);
    const last = shown.at(-1);
    let next: Position;
    if (shown.length === changes.length) {
      // Everything up to now was shown: continue after now.
      const atNow = changesBetween(this.world, nowMs, nowMs).length;
      next = { generation: this.generation, atMs: nowMs, seen: atNow };
    } else {
      const atLast = last?.atMs ?? from.atMs;
      let seen = atLast === from.atMs ? from.seen : 0;
      for (const c of shown) if (c.atMs === atLast) seen++;
      next = { generation: this.generation, atMs: atLast, seen };
    }
    return this.page(shown, this.encode(next), limit);
  }

  private page(changes: readonly Change[], token: string, limit: number): ApiReply {
    return {
      status: 200,
      body: {
        nextChangeToken: token,
        limit,
        results: changes.map((c) =>
          c.eTag === null
            ? { eventType: "RestoreSessionDelete", id: c.sessionId }
            : { eventType: "RestoreSessionUpdate", id: c.sessionId, eTag: c.eTag },
        ),
      },
    };
  }
}
