// Default values of every optional configuration key, in one place for the docs and examples.

/**
 * The exporter's default web port. The Prometheus exporter range 9100-9999 is fully allocated,
 * so no choice is free of conflict; 9853 avoids the common ones (9090-9100, 9115, 9464).
 */
export const DEFAULT_WEB_PORT = 9853;

export const DEFAULTS = {
  listenAddress: `:${DEFAULT_WEB_PORT}`,
  newSeriesHold: "1m",
  stateDir: "./data",
  apiVersion: "auto",
  pollInterval: "60s",
  lookback: "7d",
  timeout: "30s",
  eventConcurrency: 4,
  /** How far before the cursor each poll reads again (late sessions, a VBO clock behind ours). */
  pollOverlap: "1h",
  /** Width of the time slices a long range is listed in. */
  pollSlice: "6h",
  /** A poll commits in transactions of at most this many events... */
  pollBatchMaxEvents: 2_000,
  /** ...and about this many bytes of events held in memory... */
  pollBatchMaxBytes: 4_194_304,
  /** ...and, as a safety cap, this many sessions. */
  pollBatchMaxSessions: 500,
  /**
   * A session VBO reports ended whose unreadable events stay unreadable is finished without them
   * once they have been read this many times since it ended...
   */
  unreadableGiveUpReads: 3,
  /** ...and this long after the exporter first saw it ended. */
  unreadableGiveUpAfter: "1h",
  clientHostLimit: 500,
  labelMaxLength: 128,
  dropClientHostLabel: false,
  otlpProtocol: "http/protobuf",
  otlpTimeout: "10s",
  otlpCompression: "gzip",
  outboxMaxRecords: 1_000_000,
  maxRecordAge: "7d",
  batchMaxRecords: 500,
  batchMaxBytes: 1_048_576,
  logLevel: "info",
  watchlistRefresh: "15m",
  auditFeedRetention: "30d",
  /** The uid grafana/provisioning gives the Loki datasource. */
  grafanaLokiDatasource: "loki",
} as const;
