// The simulator in a process of its own for the benchmark: started from a JSON argument, it answers
// the parent over IPC with its request counters and its ground truth (the records it should cause).
import { startSimulator } from "../src/simulator/server.ts";
import { addToDigest, type Digest, emptyDigest, eventKey, sessionKey } from "./record-digest.ts";

export interface SimulatorSpec {
  readonly apiVersion: "v6" | "v7" | "v8";
  readonly historySessions: number;
  readonly historyDays: number;
  /** The history ends this long before the start, so every history session has stopped. */
  readonly historyEndsAgoMs: number;
  readonly organizations: number;
  readonly latencyMs: number;
  /** Sessions added by hand: `count` sessions of this shape each. */
  readonly custom: readonly {
    readonly count: number;
    readonly startedSecondsAgo: number;
    readonly durationSeconds: number;
    readonly eventCount: number;
  }[];
}

export interface Truth {
  readonly sessions: number;
  readonly running: number;
  readonly events: number;
  /** Every event of every session plus one per stopped session. */
  readonly records: Digest;
}

export type Request = { id: number; op: "stats" | "reset" | "truth" | "close" };

const spec = JSON.parse(process.argv[2] ?? "{}") as SimulatorSpec;
const sim = await startSimulator({
  apiVersion: spec.apiVersion,
  historySessions: spec.historySessions,
  historyDays: spec.historyDays,
  startTime: Date.now() - spec.historyEndsAgoMs,
  organizations: spec.organizations,
  ratePerMinute: 0,
  tokenThrottle: false,
  faults: { latencyMs: spec.latencyMs },
});
for (const shape of spec.custom) {
  for (let i = 0; i < shape.count; i++) {
    sim.world.addSession({
      startedSecondsAgo: shape.startedSecondsAgo,
      durationSeconds: shape.durationSeconds,
      eventCount: shape.eventCount,
    });
  }
}

function truth(): Truth {
  const now = Date.now();
  const records = emptyDigest();
  let sessions = 0;
  let running = 0;
  let events = 0;
  for (const session of sim.world.sessionsAt(now)) {
    sessions++;
    for (const event of sim.world.eventsAt(session.id, now)) {
      events++;
      addToDigest(records, eventKey(session.id, event.id));
    }
    if (session.state === "Stopped") addToDigest(records, sessionKey(session.id));
    else running++;
  }
  return { sessions, running, events, records };
}

process.on("message", async (message: Request) => {
  const reply = (body: unknown) => process.send?.({ id: message.id, body });
  if (message.op === "stats") reply(sim.stats());
  else if (message.op === "reset") reply(sim.resetStats());
  else if (message.op === "truth") reply(truth());
  else if (message.op === "close") {
    await sim.close();
    reply(null);
    process.disconnect();
  }
});
process.send?.({ id: 0, body: { url: sim.url, username: sim.username, password: sim.password } });
