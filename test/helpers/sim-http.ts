// Small HTTP helpers for talking to the simulator in tests (real requests over loopback).
import type { RunningSimulator } from "../../src/simulator/server.ts";

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json(): unknown;
}

export async function request(url: string, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: () => JSON.parse(text) as unknown,
  };
}

export async function login(sim: RunningSimulator, version = sim.apiVersion): Promise<string> {
  const reply = await request(`${sim.url}/${version}/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "password",
      username: sim.username,
      password: sim.password,
    }),
  });
  if (reply.status !== 200) throw new Error(`login failed: ${reply.status} ${reply.text}`);
  return (reply.json() as { access_token: string }).access_token;
}

/** GET with the bearer token; path starts with "/". */
export function get(sim: RunningSimulator, token: string, path: string): Promise<Reply> {
  return request(`${sim.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
}
