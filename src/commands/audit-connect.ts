// The VBO server an `audit` command talks to: the same configuration and secrets as `serve`, one
// server chosen by --server when there are several, and its organization named by the user.

import { describeUnresolved, resolveName } from "../audit/resolve.ts";
import { loadConfig } from "../config/load.ts";
import type { ServerConfig } from "../config/types.ts";
import { vboClientOptions } from "../config/vbo-client-options.ts";
import { type ClosableVboClient, createVboClient } from "../vbo/client.ts";
import type { Organization } from "../vbo/types.ts";
import { UsageError } from "./command.ts";

export interface Connection {
  readonly server: ServerConfig;
  readonly client: ClosableVboClient;
}

/** A failure an audit command reports in one sentence and exit 1. */
export class AuditCommandError extends Error {
  override readonly name = "AuditCommandError";
}

export function connect(file: string | undefined, serverName: string | undefined): Connection {
  const result = loadConfig({ file, env: process.env });
  if (!result.ok) throw new AuditCommandError(result.errors.join("\n"));
  for (const warning of result.warnings) console.error(`warning: ${warning}`);
  const servers = result.config.servers;
  let server: ServerConfig | undefined;
  if (serverName !== undefined) {
    server = servers.find((s) => s.name === serverName);
    if (!server)
      throw new UsageError(
        `--server: no server "${serverName}" in the configuration (it has ${servers.map((s) => s.name).join(", ")})`,
      );
  } else if (servers.length === 1) {
    server = servers[0];
  } else {
    throw new UsageError(
      `the configuration has ${servers.length} servers; name one with --server (${servers.map((s) => s.name).join(", ")})`,
    );
  }
  if (!server) throw new UsageError("the configuration has no server");
  const client = createVboClient(vboClientOptions(server));
  return { server, client };
}

/** The organization a person named (by name, Microsoft 365 domain or id). */
export async function findOrganization(
  client: ClosableVboClient,
  typed: string,
): Promise<Organization> {
  const organizations = await client.listOrganizations();
  const resolution = resolveName(
    typed,
    organizations.map((o) => ({
      value: o,
      keys: [o.id, o.name, o.officeName],
      label: `${o.name} (${o.id})`,
    })),
  );
  if (resolution.kind === "found") return resolution.value;
  throw new AuditCommandError(describeUnresolved("organization", typed, resolution));
}
