// Puts the Koa app on a socket: plain HTTP or HTTPS (web.tls), and closes it promptly on shutdown
// even while Prometheus holds keep-alive connections.
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type Koa from "koa";
import { displayHost } from "../config/listen-address.ts";
import { ExporterError } from "../errors.ts";
import { type Logger, silentLogger } from "../logger.ts";
import { readTlsFiles, TLS_OPTIONS, watchTlsFiles } from "./tls-reload.ts";

export interface WebServerOptions {
  /** Undefined listens on every interface. */
  readonly host: string | undefined;
  /** 0 picks a free port. */
  readonly port: number;
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  /** How often the TLS files are checked for a renewed certificate (default 30 s). */
  readonly tlsReloadIntervalMs?: number;
  readonly logger?: Logger;
}

export interface WebServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Base URL to reach the server from this machine, e.g. http://127.0.0.1:9853/. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startWebServer(app: Koa, options: WebServerOptions): Promise<WebServer> {
  let server: Server;
  let stopWatching = () => {};
  if (options.tls) {
    const { certFile, keyFile } = options.tls;
    let pair: { cert: Buffer; key: Buffer };
    try {
      pair = readTlsFiles(options.tls);
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw new ExporterError(
        "config",
        `cannot read the web TLS certificate ${certFile} or key ${keyFile}: ${why}`,
        { cause: error },
      );
    }
    let https: ReturnType<typeof createHttpsServer>;
    try {
      https = createHttpsServer({ ...TLS_OPTIONS, ...pair }, app.callback());
    } catch (error) {
      // OpenSSL's own message names neither file.
      const { reason, message } = error as { reason?: unknown; message?: unknown };
      throw new ExporterError(
        "config",
        `cannot serve HTTPS with the web TLS certificate ${certFile} and key ${keyFile}: ${typeof reason === "string" ? reason : String(message)}`,
        { cause: error },
      );
    }
    stopWatching = watchTlsFiles(
      https,
      options.tls,
      options.logger ?? silentLogger(),
      options.tlsReloadIntervalMs ?? 30_000,
    );
    server = https;
  } else {
    server = createHttpServer(app.callback());
  }
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const where = `${options.host ?? ""}:${options.port}`;
      const why =
        error.code === "EADDRINUSE"
          ? `port ${options.port} is already in use (another exporter, or another service); stop it, or choose another address with --listen-address (web.listenAddress, WEB_LISTEN_ADDRESS), e.g. --listen-address :${options.port + 1}`
          : error.code === "EACCES"
            ? `permission denied (ports below 1024 need privileges); choose another address with --listen-address (web.listenAddress, WEB_LISTEN_ADDRESS)`
            : (error.code ?? error.message);
      stopWatching();
      reject(new ExporterError("listen", `cannot listen on ${where}: ${why}`, { cause: error }));
    };
    server.once("error", onError);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off("error", onError);
      resolve();
    });
  });

  const address = server.address() as AddressInfo;
  const host = displayHost(options.host);
  const scheme = options.tls ? "https" : "http";
  return {
    port: address.port,
    url: `${scheme}://${host}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        stopWatching();
        server.close(() => resolve());
        server.closeIdleConnections();
        // In-flight scrapes get a moment; then every remaining connection is cut.
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      }),
  };
}
