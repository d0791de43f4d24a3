// Token issuing and checking like VBO's /token endpoint, with its per-caller throttle.
import { randomBytes } from "node:crypto";

export interface AuthSettings {
  readonly username: string;
  readonly password: string;
  readonly tokenLifetimeSeconds: number;
  readonly throttle: boolean;
}

export type TokenOutcome =
  | { readonly kind: "issued"; readonly body: Record<string, unknown> }
  | { readonly kind: "invalid_grant"; readonly description: string }
  | { readonly kind: "bad_request"; readonly description: string }
  | { readonly kind: "throttled"; readonly retryAfterSeconds: number };

interface TokenEntry {
  readonly user: string;
  readonly expiresAt: number;
}

/** 1 request per second, 5 per minute, 1500 per hour per remote caller (as seen on real v6 servers). */
const WINDOWS: readonly (readonly [number, number])[] = [
  [1_000, 1],
  [60_000, 5],
  [3_600_000, 1500],
];

export class TokenAuthority {
  private readonly access = new Map<string, TokenEntry>();
  private readonly refresh = new Map<string, string>();
  private readonly calls = new Map<string, number[]>();
  private readonly settings: AuthSettings;
  private readonly clock: () => number;

  constructor(settings: AuthSettings, clock: () => number) {
    this.settings = settings;
    this.clock = clock;
  }

  /** Handles one POST /token with its form fields. */
  grant(form: URLSearchParams, caller: string): TokenOutcome {
    const now = this.clock();
    if (this.settings.throttle) {
      const wait = this.throttleWait(caller, now);
      if (wait > 0) return { kind: "throttled", retryAfterSeconds: Math.ceil(wait / 1000) };
    }
    const grantType = form.get("grant_type");
    if (grantType === "password") {
      if (
        form.get("username") !== this.settings.username ||
        form.get("password") !== this.settings.password
      ) {
        return { kind: "invalid_grant", description: "The user name or password is incorrect." };
      }
      return this.issue(this.settings.username, now);
    }
    if (grantType === "refresh_token") {
      const token = form.get("refresh_token") ?? "";
      const user = this.refresh.get(token);
      if (user === undefined)
        return { kind: "invalid_grant", description: "The refresh token is invalid or expired." };
      this.refresh.delete(token);
      return this.issue(user, now);
    }
    return { kind: "bad_request", description: `Unsupported grant_type "${grantType ?? ""}".` };
  }

  /** True when the Authorization header carries a live access token. */
  check(authorization: string | undefined): boolean {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
    if (!match?.[1]) return false;
    const entry = this.access.get(match[1]);
    if (!entry) return false;
    if (entry.expiresAt <= this.clock()) {
      this.access.delete(match[1]);
      return false;
    }
    return true;
  }

  private issue(user: string, now: number): TokenOutcome {
    const accessToken = randomBytes(32).toString("base64url");
    const refreshToken = randomBytes(32).toString("base64url");
    const lifetime = this.settings.tokenLifetimeSeconds;
    this.access.set(accessToken, { user, expiresAt: now + lifetime * 1000 });
    this.refresh.set(refreshToken, user);
    this.pruneExpired(now);
    return {
      kind: "issued",
      body: {
        access_token: accessToken,
        token_type: "bearer",
        refresh_token: refreshToken,
        expires_in: lifetime,
        userName: user,
        ".issued": new Date(now).toISOString(),
        ".expires": new Date(now + lifetime * 1000).toISOString(),
      },
    };
  }

  private throttleWait(caller: string, now: number): number {
    const history = (this.calls.get(caller) ?? []).filter((t) => t > now - 3_600_000);
    let wait = 0;
    for (const [window, max] of WINDOWS) {
      const inWindow = history.filter((t) => t > now - window);
      if (inWindow.length >= max) {
        const oldest = inWindow[inWindow.length - max] ?? now;
        wait = Math.max(wait, oldest + window - now);
      }
    }
    if (wait <= 0) history.push(now);
    this.calls.set(caller, history);
    return wait;
  }

  private pruneExpired(now: number): void {
    if (this.access.size < 1000) return;
    for (const [token, entry] of this.access) if (entry.expiresAt <= now) this.access.delete(token);
  }
}
