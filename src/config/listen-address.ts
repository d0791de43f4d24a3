// Parses a web listen address (`host:port`, `:port`, `[::1]:port`) into what net.listen needs.

export interface ListenAddress {
  /** Undefined means every interface. */
  readonly host: string | undefined;
  /** 0 asks the operating system for a free port. */
  readonly port: number;
}

const BRACKETED = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/;
const PLAIN = /^([^:\s[\]]*):(\d{1,5})$/;

/** The host and port of a listen address, or null when the text is not one. */
export function parseListenAddress(text: string): ListenAddress | null {
  const trimmed = text.trim();
  const match = BRACKETED.exec(trimmed) ?? PLAIN.exec(trimmed);
  if (!match) return null;
  const port = Number(match[2]);
  if (!Number.isInteger(port) || port > 65_535) return null;
  const host = match[1] ?? "";
  return { host: host === "" ? undefined : host, port };
}

/** How to reach a listen address from this machine, for banners and logs. */
export function displayHost(host: string | undefined): string {
  if (host === undefined || host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}
