// The one way to write the state database: a synchronous function run inside BEGIN IMMEDIATE …
// COMMIT, given a typed handle; callbacks registered on it run only once the commit has happened.
import type { DatabaseSync } from "node:sqlite";
import type { OutboxWrites } from "./outbox-tables.ts";

/** What a transaction's work may touch; valid only while the transaction is open. */
export interface StateTransaction {
  readonly outbox: OutboxWrites;
  /** Runs `callback` after the commit (metrics, logs, wake-ups); never when it rolls back. */
  afterCommit(callback: () => void): void;
}

export type Transact = <T>(work: (tx: StateTransaction) => T) => T;

/** Every method of `target`, usable only while `isOpen()`. */
function guarded<T extends object>(target: T, isOpen: () => boolean): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      const value = Reflect.get(object, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (!isOpen()) throw new Error("the state transaction is over: its handle cannot be used");
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

/**
 * Transactions over `db`. The work is synchronous (node:sqlite is), so nothing else can use the
 * connection while one is open: no one ever waits for a free connection.
 */
export function transactor(
  db: DatabaseSync,
  outbox: OutboxWrites,
  onCallbackError: (error: unknown) => void,
): Transact {
  return <T>(work: (tx: StateTransaction) => T): T => {
    if (db.isTransaction) throw new Error("state transactions do not nest");
    let open = true;
    const callbacks: (() => void)[] = [];
    const tx: StateTransaction = {
      outbox: guarded(outbox, () => open),
      afterCommit(callback) {
        if (!open) throw new Error("the state transaction is over: its handle cannot be used");
        callbacks.push(callback);
      },
    };
    db.exec("BEGIN IMMEDIATE");
    let result: T;
    try {
      result = work(tx);
      if (result instanceof Promise)
        throw new Error("a state transaction's work must be synchronous");
      db.exec("COMMIT");
    } catch (error) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw error;
    } finally {
      open = false;
    }
    // The work is committed whatever a callback does: a throw here must not make the caller
    // take the transaction for failed (and, say, skip counting what it committed).
    for (const callback of callbacks) {
      try {
        callback();
      } catch (error) {
        onCallbackError(error);
      }
    }
    return result;
  };
}
