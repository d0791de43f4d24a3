// Whether a web TLS certificate and private key can serve together, checked the way the HTTPS server loads them.
import { createSecureContext } from "node:tls";

export type TlsPairProblem = { readonly mismatch: boolean; readonly reason: string };

/** Null when the PEM texts load as one pair; else OpenSSL's reason, which never quotes key material. */
export function tlsPairProblem(certPem: string, keyPem: string): TlsPairProblem | null {
  try {
    createSecureContext({ cert: certPem, key: keyPem });
    return null;
  } catch (error) {
    const { code, reason, message } = error as {
      code?: unknown;
      reason?: unknown;
      message?: unknown;
    };
    return {
      mismatch: code === "ERR_OSSL_X509_KEY_VALUES_MISMATCH",
      reason: typeof reason === "string" ? reason : String(message),
    };
  }
}
