// Starts bench/simulator-process.ts as a child process and talks to it over IPC.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { SimulatorStats } from "../src/simulator/server.ts";
import type { Request, SimulatorSpec, Truth } from "./simulator-process.ts";

const script = fileURLToPath(new URL("./simulator-process.ts", import.meta.url));

export interface SimulatorChild {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly pid: number;
  stats(): Promise<SimulatorStats>;
  resetStats(): Promise<void>;
  truth(): Promise<Truth>;
  close(): Promise<void>;
}

export async function startSimulatorChild(spec: SimulatorSpec): Promise<SimulatorChild> {
  const child: ChildProcess = fork(script, [JSON.stringify(spec)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiting = new Map<number, (body: unknown) => void>();
  let nextId = 1;
  child.on("message", (message: { id: number; body: unknown }) => {
    waiting.get(message.id)?.(message.body);
    waiting.delete(message.id);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ask = <T>(op: Request["op"]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (body) => resolve(body as T));
      child.send({ id, op } satisfies Request);
      exited.then(() => reject(new Error(`the simulator process exited before answering ${op}`)));
    });
  const hello = await new Promise<{ url: string; username: string; password: string }>(
    (resolve, reject) => {
      waiting.set(0, (body) =>
        resolve(body as { url: string; username: string; password: string }),
      );
      child.once("exit", (code) => reject(new Error(`the simulator process exited with ${code}`)));
    },
  );
  return {
    ...hello,
    pid: child.pid ?? 0,
    stats: () => ask<SimulatorStats>("stats"),
    resetStats: () => ask<void>("reset"),
    truth: () => ask<Truth>("truth"),
    async close() {
      if (child.exitCode !== null) return;
      await Promise.race([ask<void>("close").catch(() => undefined), exited]);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
