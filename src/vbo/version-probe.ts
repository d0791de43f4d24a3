// API version detection: GET /vN/ServiceInstance without a token, newest first
// (401 means the version is served, 404 that it is not).
import type { Logger } from "../logger.ts";
import { errorSummary } from "./body.ts";
import { VboError } from "./errors.ts";
import { sendWithRetry, type Transport } from "./request.ts";
import { API_VERSIONS, type ApiVersion } from "./types.ts";

export interface ProbeDeps {
  readonly transport: Transport;
  readonly origin: string;
  readonly urlFor: (version: ApiVersion, path: string) => URL;
  readonly logger: Logger;
}

export async function probeApiVersion(
  { transport, origin, urlFor, logger }: ProbeDeps,
  signal?: AbortSignal,
): Promise<ApiVersion> {
  const answers: string[] = [];
  for (const version of API_VERSIONS) {
    const url = urlFor(version, "/ServiceInstance");
    const response = await sendWithRetry(transport, {
      method: "GET",
      url,
      headers: () => ({ accept: "application/json" }),
      signal,
    });
    const s = response.status;
    if (s === 401 || s === 403 || (s >= 200 && s < 300)) {
      logger.info({ apiVersion: version }, "detected the VBO REST API version");
      return version;
    }
    answers.push(`${version}: HTTP ${s}`);
    if (s !== 404 && s !== 400 && s !== 405 && s !== 410) {
      throw new VboError(
        "bad_response",
        `unexpected answer while probing the API version (HTTP ${s}: ${errorSummary(response).text})`,
        { method: "GET", path: url.pathname, status: s },
      );
    }
  }
  throw new VboError(
    "unsupported_version",
    `the server at ${origin} serves none of the API versions ${API_VERSIONS.join(", ")} (${answers.join(", ")}); VBO 6.x or newer is required`,
  );
}
