// Settings that are valid but probably not what was meant: said once, at check-config and start.
import { formatDuration } from "./duration.ts";
import type { KeyPath } from "./key-path.ts";
import type { ExporterConfig } from "./types.ts";

export interface ConfigWarning {
  readonly path: KeyPath;
  readonly message: string;
}

export function configWarnings(config: ExporterConfig): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const otlp = config.logs.otlp;
  config.servers.forEach((server, index) => {
    if (server.url.startsWith("http://")) {
      warnings.push({
        path: ["servers", index, "url"],
        message:
          "plain http:// sends the VBO password and access tokens unencrypted; use https:// (VBO serves it on port 4443)",
      });
    }
    if (otlp.endpoint !== null && server.lookbackMs > config.logs.maxRecordAgeMs) {
      const age = formatDuration(config.logs.maxRecordAgeMs);
      warnings.push({
        path: ["servers", index, "lookback"],
        message: `${formatDuration(server.lookbackMs)} reaches further back than logs.maxRecordAge (${age}): audit records older than ${age} are dead-lettered as too_old instead of sent; shorten the lookback or raise maxRecordAge together with Loki's reject_old_samples_max_age`,
      });
    }
  });
  if (
    otlp.endpoint?.startsWith("http://") === true &&
    (otlp.basicAuth !== null || otlp.bearerToken !== null)
  ) {
    warnings.push({
      path: ["logs", "otlp", "endpoint"],
      message:
        "plain http:// sends the OTLP credentials unencrypted; use https:// or a receiver on the same host",
    });
  }
  return warnings;
}
