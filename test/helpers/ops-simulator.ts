// A quiet VBO simulator for the ops integration test: no history, no random traffic, only the
// restore sessions the test adds.
import { type CustomSessionSpec, startSimulator } from "../../src/simulator/server.ts";

export interface OpsSimulator {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  addSession(spec: CustomSessionSpec): Promise<string>;
  close(): Promise<void>;
}

export async function startOpsSimulator(): Promise<OpsSimulator> {
  const simulator = await startSimulator({
    apiVersion: "v8",
    host: "127.0.0.1",
    port: 0,
    historySessions: 0,
    ratePerMinute: 0,
  });
  return {
    url: simulator.url,
    username: simulator.username,
    password: simulator.password,
    addSession: async (spec) =>
      simulator.world.addSession({ durationSeconds: 2, eventCount: 3, ...spec }),
    close: () => simulator.close(),
  };
}
