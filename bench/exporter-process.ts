// Runs the exporter as users do (`bin/vbo-restore-exporter.mjs serve`, configured by environment)
// in its own process, finds the node process doing the work, and reads its memory from /proc.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const launcher = fileURLToPath(new URL("../bin/vbo-restore-exporter.mjs", import.meta.url));

export interface ExporterSettings {
  readonly vboUrl: string;
  readonly username: string;
  readonly password: string;
  readonly apiVersion: string;
  readonly otlpEndpoint: string;
  readonly pollInterval: string;
  readonly lookback: string;
  readonly eventConcurrency: number;
}

export interface ExporterProcess {
  readonly url: string;
  readonly stateDir: string;
  /** performance.now() when the process was spawned. */
  readonly spawnedAt: number;
  /** The pid of the node process running the exporter (the launcher's child, if it re-executes). */
  workerPid(): number;
  /** Peak and current resident set size of that process, in bytes. */
  memory(): { peakRss: number; rss: number };
  get(path: string): Promise<{ status: number; text: string; ms: number }>;
  /** One sample of a metric without labels (or the sum over its series), NaN when absent. */
  metric(name: string): Promise<number>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Bytes of the files in the state directory (the lock file excluded). */
  stateBytes(): number;
  output(): string;
  remove(): void;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter((s) => s !== "")
      .map(Number);
  } catch {
    return [];
  }
}

function statusKb(pid: number, field: string): number {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return match?.[1] === undefined ? Number.NaN : Number(match[1]) * 1024;
}

/** The environment of the shell without anything that configures the exporter. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(VBO_|OTEL_|WEB_|STATE_DIR|SHARD_|LOG_LEVEL)/.test(key),
    ),
  );
}

export async function startExporter(settings: ExporterSettings): Promise<ExporterProcess> {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), "vbo-bench-state-"));
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    VBO_URL: settings.vboUrl,
    VBO_USERNAME: settings.username,
    VBO_PASSWORD: settings.password,
    VBO_SERVER_NAME: "bench",
    VBO_API_VERSION: settings.apiVersion,
    VBO_POLL_INTERVAL: settings.pollInterval,
    VBO_LOOKBACK: settings.lookback,
    VBO_EVENT_CONCURRENCY: String(settings.eventConcurrency),
    OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: settings.otlpEndpoint,
    OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "http/protobuf",
    WEB_LISTEN_ADDRESS: `127.0.0.1:${port}`,
    STATE_DIR: stateDir,
    LOG_LEVEL: "warn",
  };
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(process.execPath, [launcher, "serve"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout?.setEncoding("utf8").on("data", keep);
  child.stderr?.setEncoding("utf8").on("data", keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const url = `http://127.0.0.1:${port}`;
  const pid = child.pid ?? 0;
  let lastMemory = { peakRss: Number.NaN, rss: Number.NaN };

  const workerPid = () => {
    let current = pid;
    for (let next = childrenOf(current); next.length > 0; next = childrenOf(current)) {
      current = next[0] ?? current;
    }
    return current;
  };
  const get = async (path: string) => {
    const started = performance.now();
    const response = await fetch(`${url}${path}`);
    const text = await response.text();
    return { status: response.status, text, ms: performance.now() - started };
  };
  const exporter: ExporterProcess = {
    url,
    stateDir,
    spawnedAt,
    workerPid,
    memory() {
      if (child.exitCode !== null) return lastMemory;
      const worker = workerPid();
      lastMemory = { peakRss: statusKb(worker, "VmHWM"), rss: statusKb(worker, "VmRSS") };
      return lastMemory;
    },
    get,
    async metric(name) {
      const { text } = await get("/metrics");
      let sum = Number.NaN;
      for (const line of text.split("\n")) {
        if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
          const value = Number(line.slice(line.lastIndexOf(" ") + 1));
          sum = Number.isNaN(sum) ? value : sum + value;
        }
      }
      return sum;
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
    stateBytes() {
      let total = 0;
      for (const name of readdirSync(stateDir)) {
        if (name.endsWith(".lock")) continue;
        total += statSync(join(stateDir, name)).size;
      }
      return total;
    },
    output: () => output,
    remove: () => rmSync(stateDir, { recursive: true, force: true }),
  };
  // Serving: /healthz answers (the first poll may still be under way).
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`the exporter exited with ${child.exitCode} at start:\n${output}`);
    }
    try {
      if ((await get("/healthz")).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return exporter;
}
