// Re-reads the web TLS certificate and key when their files change, so a renewed certificate
// (cert-manager, ACME, a mounted secret) is served without a restart; a half-written or
// mismatched pair is refused with a warning and the previous one stays in use.
import { readFileSync, statSync } from "node:fs";
import type { Server as HttpsServer, ServerOptions } from "node:https";
import type { Logger } from "../logger.ts";

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export const TLS_OPTIONS: ServerOptions = { minVersion: "TLSv1.2" };

/** Reads both PEM files; throws when either cannot be read. */
export function readTlsFiles(files: TlsFiles): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) };
}

/** What identifies a version of the pair on disk: size and modification time of both files. */
function fingerprint(files: TlsFiles): string {
  const part = (file: string) => {
    try {
      const stat = statSync(file);
      return `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
    } catch {
      return "missing";
    }
  };
  return `${part(files.certFile)}|${part(files.keyFile)}`;
}

/**
 * Checks the files every `intervalMs` and installs a changed pair on `server`. Returns a stop
 * function. Failures are logged once per change of the files, not on every check.
 */
export function watchTlsFiles(
  server: HttpsServer,
  files: TlsFiles,
  logger: Logger,
  intervalMs: number,
): () => void {
  let installed = fingerprint(files);
  let refused: string | null = null;
  const check = () => {
    const current = fingerprint(files);
    if (current === installed || current === refused) {
      logger.trace({ certFile: files.certFile }, "web TLS files checked: unchanged");
      return;
    }
    try {
      server.setSecureContext({ ...TLS_OPTIONS, ...readTlsFiles(files) });
      installed = current;
      refused = null;
      logger.info({ certFile: files.certFile }, "web TLS certificate reloaded");
    } catch (error) {
      refused = current;
      logger.warn(
        { certFile: files.certFile, keyFile: files.keyFile, error: (error as Error).message },
        "web TLS certificate not reloaded: the files are unreadable or do not match; still serving the previous one",
      );
    }
  };
  const timer = setInterval(check, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
