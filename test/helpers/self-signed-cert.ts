// A throwaway self-signed certificate for 127.0.0.1/localhost, made with the real openssl.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCert {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
  cleanup(): void;
}

export function makeTestCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), "vbo-web-tls-"));
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
  return {
    certFile,
    keyFile,
    certPem: readFileSync(certFile, "utf8"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
