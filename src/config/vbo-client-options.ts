// A configured server as the VBO client's options: one mapping for the exporter and the commands
// that talk to VBO (audit, report), so they connect alike.
import type { VboClientOptions } from "../vbo/client-options.ts";
import type { ServerConfig } from "./types.ts";

export function vboClientOptions(server: ServerConfig): VboClientOptions {
  return {
    url: server.url,
    apiVersion: server.apiVersion,
    username: server.username,
    password: server.password,
    tls: {
      ...(server.tls.caFile === null ? {} : { caFile: server.tls.caFile }),
      insecureSkipVerify: server.tls.insecureSkipVerify,
    },
    timeoutMs: server.timeoutMs,
    ...(server.pageSize === null ? {} : { pageSize: server.pageSize }),
  };
}
