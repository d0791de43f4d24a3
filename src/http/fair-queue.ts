// A bounded work queue that takes turns between clients: a client flooding it waits behind its own
// jobs, while a client with one job waits only for the jobs already running and one per other client.

export interface FairQueueOptions {
  /** Jobs run at once. */
  readonly concurrency: number;
  /** Jobs waiting across all clients; beyond that a new job is refused. */
  readonly maxQueued: number;
  /** Jobs waiting per client; beyond that that client's new job is refused. */
  readonly maxQueuedPerClient: number;
}

export interface FairQueue {
  /** Runs the job in its client's turn; null (at once, without running it) when the queue is full. */
  run<T>(client: string, job: () => Promise<T>): Promise<T> | null;
}

interface Waiting {
  readonly start: () => void;
}

export function createFairQueue(options: FairQueueOptions): FairQueue {
  // Insertion order is the turn order: a client served goes to the back of the line.
  const queues = new Map<string, Waiting[]>();
  let queued = 0;
  let running = 0;

  const pump = (): void => {
    while (running < options.concurrency) {
      const first = queues.entries().next();
      if (first.done) return;
      const [client, waiting] = first.value;
      queues.delete(client);
      const next = waiting.shift();
      if (waiting.length > 0) queues.set(client, waiting);
      if (next === undefined) continue;
      queued--;
      running++;
      next.start();
    }
  };

  return {
    run<T>(client: string, job: () => Promise<T>): Promise<T> | null {
      const own = queues.get(client);
      if (queued >= options.maxQueued || (own?.length ?? 0) >= options.maxQueuedPerClient) {
        return null;
      }
      return new Promise<T>((resolve, reject) => {
        const start = () => {
          job()
            .then(resolve, reject)
            .finally(() => {
              running--;
              pump();
            });
        };
        if (own === undefined) queues.set(client, [{ start }]);
        else own.push({ start });
        queued++;
        pump();
      });
    },
  };
}
