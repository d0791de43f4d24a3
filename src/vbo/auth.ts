// The token cache: one login at a time, refresh before expiry (refresh grant, then the password
// grant), at least a second between /token calls, and bad credentials reported without hammering.
import { decodeJson, errorSummary, hasMessage } from "./body.ts";
import { VboError, type VboErrorContext } from "./errors.ts";
import { parseTokenGrant, type TokenGrant } from "./parse.ts";
import { pause, sendWithRetry, type Transport } from "./request.ts";
import type { ApiVersion } from "./types.ts";

/** Pace of /token calls (VBO allows one per second and five per minute per caller). */
const TOKEN_SPACING_MS = 1_000;
const TOKEN_WINDOW_MS = 60_000;
const TOKEN_CALLS_PER_WINDOW = 5;
/** Lifetime assumed when a token answer has no usable expires_in. */
const DEFAULT_LIFETIME_S = 300;
/** After a refused password, further logins wait this long instead of asking again. */
const BAD_CREDENTIALS_COOLDOWN_MS = 30_000;

export interface AuthOptions {
  readonly transport: Transport;
  readonly baseUrl: URL;
  readonly username: string;
  readonly password: string;
  readonly version: (signal?: AbortSignal) => Promise<ApiVersion>;
  /** Ends a login under way, which no single caller's signal does (the client was closed). */
  readonly closed?: AbortSignal;
}

interface CachedToken {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  /** Clock time after which the token is refreshed. */
  readonly refreshAtMs: number;
}

/** Awaits a shared promise but gives up (aborted) when this caller's signal fires. */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(new VboError("aborted", "login aborted"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new VboError("aborted", "login aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

export class TokenManager {
  private readonly options: AuthOptions;
  private cached: CachedToken | null = null;
  private pending: Promise<CachedToken> | null = null;
  /** Clock times of the latest /token calls, oldest first (at most TOKEN_CALLS_PER_WINDOW). */
  private tokenCallsMs: number[] = [];
  private refused: { error: VboError; untilMs: number } | null = null;

  constructor(options: AuthOptions) {
    this.options = options;
  }

  /** Tokens currently held, so they can be kept out of messages. */
  secrets(): string[] {
    const c = this.cached;
    return c === null ? [] : [c.accessToken, ...(c.refreshToken === null ? [] : [c.refreshToken])];
  }

  /** A valid access token, logging in or refreshing first when needed. */
  async accessToken(signal?: AbortSignal): Promise<string> {
    const now = this.options.transport.clock.now();
    if (this.cached !== null && now < this.cached.refreshAtMs) return this.cached.accessToken;
    return (await this.renew(signal)).accessToken;
  }

  /** Forgets a token the server refused (401), unless another caller already replaced it. */
  invalidate(accessToken: string): void {
    if (this.cached?.accessToken === accessToken) {
      this.cached = { ...this.cached, refreshAtMs: Number.NEGATIVE_INFINITY };
    }
  }

  private renew(signal?: AbortSignal): Promise<CachedToken> {
    if (signal?.aborted) return Promise.reject(new VboError("aborted", "login aborted"));
    if (this.pending === null) {
      const previous = this.cached;
      this.pending = this.login(previous).finally(() => {
        this.pending = null;
      });
      // Every caller may give up before the shared login ends; its failure must not go unhandled.
      this.pending.catch(() => {});
    }
    return raceSignal(this.pending, signal);
  }

  private async login(previous: CachedToken | null): Promise<CachedToken> {
    const { transport } = this.options;
    if (this.refused !== null && transport.clock.now() < this.refused.untilMs) {
      throw this.refused.error;
    }
    if (previous?.refreshToken != null) {
      try {
        return this.store(
          await this.grant({ grant_type: "refresh_token", refresh_token: previous.refreshToken }),
        );
      } catch (error) {
        // Only an answer that refuses the refresh is worth a password login; a dead network is not.
        if (
          !(error instanceof VboError) ||
          !["bad_credentials", "bad_response", "not_found"].includes(error.reason)
        ) {
          throw error;
        }
        transport.logger.info(
          { reason: error.reason },
          "VBO refused the token refresh; logging in with the password",
        );
      }
    }
    try {
      const grant = await this.grant({
        grant_type: "password",
        username: this.options.username,
        password: this.options.password,
      });
      this.refused = null;
      return this.store(grant);
    } catch (error) {
      transport.logger.debug({ reason: (error as VboError).reason }, "VBO login failed");
      if (error instanceof VboError && error.reason === "bad_credentials") {
        this.refused = { error, untilMs: transport.clock.now() + BAD_CREDENTIALS_COOLDOWN_MS };
      }
      this.cached = null;
      throw error;
    }
  }

  private store(grant: TokenGrant & { issuedAtMs: number }): CachedToken {
    const lifetimeMs = (grant.expiresInSeconds ?? DEFAULT_LIFETIME_S) * 1000;
    // Refresh a little early: a fifth of the lifetime, at most a minute.
    const marginMs = Math.min(60_000, lifetimeMs / 5);
    this.cached = {
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      refreshAtMs: grant.issuedAtMs + lifetimeMs - marginMs,
    };
    this.options.transport.logger.debug(
      { expiresInSeconds: grant.expiresInSeconds },
      "logged in to VBO",
    );
    return this.cached;
  }

  private async keepPace(signal: AbortSignal | undefined, context: VboErrorContext): Promise<void> {
    const { clock } = this.options.transport;
    const calls = this.tokenCallsMs;
    const last = calls.at(-1);
    const oldest = calls.length >= TOKEN_CALLS_PER_WINDOW ? calls[0] : undefined;
    const readyAt = Math.max(
      last === undefined ? Number.NEGATIVE_INFINITY : last + TOKEN_SPACING_MS,
      oldest === undefined ? Number.NEGATIVE_INFINITY : oldest + TOKEN_WINDOW_MS,
    );
    const wait = readyAt - clock.now();
    if (wait > 0) {
      if (wait > TOKEN_SPACING_MS) {
        this.options.transport.logger.warn(
          { delayMs: wait },
          "five VBO logins within a minute; waiting before the next to stay under the token throttle",
        );
      }
      await pause(this.options.transport, wait, signal, context);
    }
    this.tokenCallsMs = [...calls, clock.now()].slice(-TOKEN_CALLS_PER_WINDOW);
  }

  private async grant(
    fields: Record<string, string>,
  ): Promise<TokenGrant & { issuedAtMs: number }> {
    const { transport, baseUrl } = this.options;
    const version = await this.options.version();
    const url = new URL(`${baseUrl.pathname.replace(/\/$/, "")}/${version}/token`, baseUrl);
    const form = new URLSearchParams(fields);
    if (version !== "v6") form.set("disable_antiforgery_token", "true");
    const context: VboErrorContext = { method: "POST", path: url.pathname };
    const secrets = [...transport.secrets(), this.options.password, fields.refresh_token ?? ""];
    let issuedAtMs = transport.clock.now();
    const response = await sendWithRetry(transport, {
      method: "POST",
      url,
      signal: this.options.closed,
      headers: () => ({
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      }),
      body: form.toString(),
      beforeSend: async (signal) => {
        await this.keepPace(signal, context);
        issuedAtMs = transport.clock.now();
      },
    });
    const where = { ...context, status: response.status };
    if (response.status >= 200 && response.status < 300) {
      try {
        return { ...parseTokenGrant(decodeJson(response, context)), issuedAtMs };
      } catch (error) {
        throw error instanceof VboError ? error.withContext(where) : error;
      }
    }
    const summary = errorSummary(response, secrets);
    const grantType = fields.grant_type === "password" ? "password" : "refresh token";
    if (
      (response.status === 400 && (summary.error === "invalid_grant" || hasMessage(response))) ||
      response.status === 401 ||
      response.status === 403
    ) {
      throw new VboError(
        "bad_credentials",
        grantType === "password"
          ? `VBO refused the credentials of user "${this.options.username}" (HTTP ${response.status}: ${summary.text}); check username and password`
          : `VBO refused the refresh token (HTTP ${response.status}: ${summary.text})`,
        where,
      );
    }
    if (response.status === 404) {
      throw new VboError(
        "not_found",
        `no token endpoint at ${url.pathname} (HTTP 404); check the server URL and API version`,
        where,
      );
    }
    throw new VboError(
      "bad_response",
      `unexpected answer to the ${grantType} login (HTTP ${response.status}: ${summary.text})`,
      where,
    );
  }
}
