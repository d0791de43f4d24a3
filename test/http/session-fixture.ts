// Restore sessions for the landing-page tests: servers, organizations, client hosts, types and
// results mixed, times printed as VBO does (Z or an offset, 0 to 7 digits), hostile values among
// them; each with the instant it stands for, so expectations never read the page's own parsing.
import type { RecentSession, ServerStatus } from "../../src/pipeline/status.ts";

export const NOW = Date.parse("2026-05-04T10:00:00Z");

export const HOSTILE_ORG = `<script>alert("org")</script> "Müller & Søn" 'x'`;
export const HOSTILE_HOST = `<img src=x onerror=alert(1)>"`;
/** 10 KiB of markup, of quotes, of one long word. */
export const HUGE_ORG = "<i>".repeat(3414);
export const HUGE_HOST = `"'`.repeat(5120);
export const HUGE_WHO = "W".repeat(10_240);

const ORGS = ["Contoso", "Fabrikam (EU)", HOSTILE_ORG] as const;
const HOSTS = ["BXYDEV01", "LAPTOP-7Q2K9", HOSTILE_HOST, "unknown"] as const;
const TYPES = ["exchange", "onedrive", "sharepoint", "teams"] as const;
const RESULTS = ["Success", "Warning", "Failed", null] as const;
const OFFSETS = [0, 120, -300] as const;

export interface FixtureSession {
  readonly session: RecentSession;
  readonly startMs: number;
  /** running | success | warning | failed */
  readonly result: string;
}

/** VBO's way of printing an instant: shifted to the offset, `digits` fractional digits. */
export function vboText(ms: number, offsetMinutes: number, digits: number): string {
  const shifted = new Date(ms + offsetMinutes * 60_000).toISOString();
  const fraction = digits === 0 ? "" : `.${`${shifted.slice(20, 23)}4567`.slice(0, digits)}`;
  const abs = Math.abs(offsetMinutes);
  const zone =
    offsetMinutes === 0
      ? "Z"
      : `${offsetMinutes < 0 ? "-" : "+"}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${shifted.slice(0, 19)}${fraction}${zone}`;
}

function build(): FixtureSession[] {
  const list: FixtureSession[] = [];
  for (let i = 0; i < 40; i++) {
    const startMs = NOW - (i + 1) * 7 * 60_000 - i * 137;
    const offset = OFFSETS[i % 3] ?? 0;
    const digits = [0, 3, 7][i % 3] ?? 0;
    const raw = RESULTS[Math.floor(i / 4) % 4] ?? null;
    const endMs = startMs + 90_000 + i * 1_000;
    list.push({
      startMs,
      result: raw === null ? "running" : raw.toLowerCase(),
      session: {
        server: i % 5 === 0 ? "branch" : "lab",
        id: `0b7c0b9e-0000-4000-8000-${String(i).padStart(12, "0")}`,
        organization: ORGS[i % 3] ?? "",
        restoreType: TYPES[(i % 7) % 4] ?? "",
        clientHost: HOSTS[i % 4] ?? "",
        initiatedBy: `operator${i % 6}@contoso.example`,
        creationTime: vboText(startMs, offset, digits),
        endTime: raw === null ? null : vboText(endMs, (offset + 60) % 180, 7 - digits),
        state: raw === null ? "Working" : "Stopped",
        result: raw ?? "None",
        eventCount: i * 3,
      },
    });
  }
  const hugeMs = NOW - 41 * 7 * 60_000;
  list.push({
    startMs: hugeMs,
    result: "success",
    session: {
      server: "lab",
      id: "0b7c0b9e-0000-4000-8000-999999999999",
      organization: HUGE_ORG,
      restoreType: "exchange",
      clientHost: HUGE_HOST,
      initiatedBy: HUGE_WHO,
      creationTime: vboText(hugeMs, 0, 7),
      endTime: vboText(hugeMs + 60_000, 0, 7),
      state: "Stopped",
      result: "Success",
      eventCount: 1,
    },
  });
  return list;
}

/** Newest first, as the state lists them. */
export const FIXTURE: readonly FixtureSession[] = build();

export function recentSessions(limit: number): RecentSession[] {
  return FIXTURE.slice(0, limit).map((f) => f.session);
}

export function serverStatus(overrides: Partial<ServerStatus> = {}): ServerStatus {
  return {
    server: "lab",
    url: "https://vbo.example:4443",
    apiVersion: "v8",
    serverVersion: "8.1.0.305",
    up: true,
    polls: 3,
    lastPollStartedAt: NOW - 5_000,
    lastSuccessAt: NOW - 4_000,
    lastError: null,
    ...overrides,
  };
}

/** `2026-05-04 09:58:00Z`: the page's stated form, written out independently. */
export function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}Z`;
}
