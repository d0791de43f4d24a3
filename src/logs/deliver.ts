// The two ways a chunk leaves the exporter: its stored bytes over OTLP/HTTP to a receiver, or its
// records as readable console lines.

import { decodeChunk } from "./chunk-codec.ts";
import { formatConsoleLine } from "./console-output.ts";
import { ExportError } from "./errors.ts";
import { classifyResponse, type ExportOutcome } from "./export-outcome.ts";
import type { Transport } from "./http-transport.ts";
import { decodePartialSuccess } from "./otlp-encode.ts";
import type { Deliver } from "./sender.ts";

const decoder = new TextDecoder();

/**
 * OTLP/HTTP delivery; network, TLS and timeout failures become retryable outcomes. `scrub` removes
 * configured secrets from every text the receiver (or the network error) brings back.
 */
export function otlpDeliver(
  transport: Transport,
  scrub: (text: string) => string = (text) => text,
  headersFor: (destination: string) => Readonly<Record<string, string>> = () => ({}),
): Deliver {
  return async (request, destination, signal): Promise<ExportOutcome> => {
    try {
      const response = await transport.send(request, signal, headersFor(destination));
      const partial =
        response.status >= 200 && response.status < 300
          ? decodePartialSuccess(response.body, response.contentType)
          : null;
      // A protobuf error body is a google.rpc.Status: its message is readable text among the
      // field tags, which is all the reason classification needs.
      let text = decoder.decode(response.body);
      if (response.contentType.includes("protobuf")) {
        text = text.replace(/[^\x20-\x7e]+/g, " ").trim();
      }
      return classifyResponse(response.status, response.retryAfterMs, text, partial, scrub);
    } catch (error) {
      if (error instanceof ExportError) {
        return {
          kind: "retry",
          reason: error.reason,
          retryAfterMs: null,
          status: null,
          message: scrub(error.message),
        };
      }
      throw error;
    }
  };
}

/** Console delivery: one readable line per record on the given stream; always acknowledged. */
export function consoleDeliver(out: NodeJS.WritableStream): Deliver {
  return async (request) => {
    const lines = decodeChunk(request)
      .records.map((record) => `${formatConsoleLine(record)}\n`)
      .join("");
    await new Promise<void>((resolve, reject) => {
      out.write(lines, (error) => (error ? reject(error) : resolve()));
    });
    return { kind: "delivered", rejectedRecords: 0, message: "" };
  };
}
