// Throwaway TLS material made with the real openssl CLI: a CA and a server certificate it signed
// for 127.0.0.1/localhost (like a VBO server's self-signed chain), in a temporary directory.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPki {
  readonly dir: string;
  /** PEM file of the CA that signed the server certificate. */
  readonly caFile: string;
  readonly caPem: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
  readonly keyPem: string;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** Makes a CA and a server certificate for 127.0.0.1 and localhost (or altNames), valid for one day. */
export function makeTestPki(
  commonName = "Test VBO CA",
  altNames = "DNS:localhost,IP:127.0.0.1",
): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "vbo-client-tls-"));
  try {
    openssl(
      [
        "req",
        "-x509",
        ...EC_KEY,
        "-days",
        "1",
        "-subj",
        `/CN=${commonName}`,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
      ],
      dir,
    );
    openssl(
      [
        "req",
        "-new",
        ...EC_KEY,
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
      ],
      dir,
    );
    writeFileSync(
      join(dir, "server.ext"),
      `subjectAltName=${altNames}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`,
    );
    openssl(
      [
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
      ],
      dir,
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const caFile = join(dir, "ca.pem");
  const certFile = join(dir, "server.pem");
  const keyFile = join(dir, "server.key");
  return {
    dir,
    caFile,
    caPem: readFileSync(caFile, "utf8"),
    certFile,
    keyFile,
    certPem: readFileSync(certFile, "utf8"),
    keyPem: readFileSync(keyFile, "utf8"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
