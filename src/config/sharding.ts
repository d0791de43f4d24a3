// Which servers this replica polls when several replicas split a long server list.
import type { ServerConfig, ShardingConfig } from "./types.ts";

/** FNV-1a (32 bit) of the UTF-8 name: stable across processes, versions and platforms. */
export function stableHash(name: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The servers whose `stableHash(name) % count` equals this replica's index. */
export function serversForShard(
  servers: readonly ServerConfig[],
  sharding: ShardingConfig,
): ServerConfig[] {
  return servers.filter((s) => stableHash(s.name) % sharding.count === sharding.index);
}
