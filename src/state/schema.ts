// The state database's tables and migrations, the log outbox's and dead letters' included; the
// meta table marks the file as ours.

export const APPLICATION_ID = "vbo-restore-exporter";
export const SCHEMA_VERSION = 8;

/** Where chunks go until records are routed per organization (a Loki tenant, say). */
export const DEFAULT_DESTINATION = "default";

/**
 * Content type of an outbox chunk holding stored records (record-codec JSON, one per line) rather
 * than an encoded request: chunks converted from an older file or replayed dead letters. The
 * sender encodes them with the configured protocol, and stores that, before sending.
 */
export const STORED_RECORDS_CONTENT_TYPE = "application/x-vbo-stored-records";

/** Records per chunk when stored records are grouped in SQL (the sender re-chunks to its bounds). */
const STORED_CHUNK_RECORDS = 500;

/** Migration n (1-based) brings the schema from version n-1 to n. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    server TEXT NOT NULL,
    id TEXT NOT NULL,
    organization TEXT NOT NULL,
    restore_type TEXT NOT NULL,
    client_host TEXT NOT NULL,
    initiated_by TEXT,
    creation_ns INTEGER NOT NULL,
    creation_text TEXT NOT NULL,
    end_text TEXT,
    state TEXT NOT NULL,
    result TEXT NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0,
    event_count INTEGER NOT NULL DEFAULT 0,
    duration_seconds REAL,
    PRIMARY KEY (server, id)
  ) WITHOUT ROWID;
  CREATE INDEX sessions_running ON sessions (server, finished) WHERE finished = 0;
  CREATE INDEX sessions_recent ON sessions (creation_ns);
  CREATE TABLE seen_events (
    server TEXT NOT NULL,
    session_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (server, session_id, event_id)
  ) WITHOUT ROWID;
  CREATE TABLE counters (
    metric TEXT NOT NULL,
    labels TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (metric, labels)
  ) WITHOUT ROWID;
  CREATE TABLE client_hosts (
    server TEXT NOT NULL,
    host TEXT NOT NULL,
    PRIMARY KEY (server, host)
  ) WITHOUT ROWID;
  CREATE TABLE cursors (
    server TEXT PRIMARY KEY,
    cursor_ms INTEGER NOT NULL
  );
  `,
  // Event ids are only needed while their session runs (finished sessions are never re-read), so
  // they are dropped when it finishes; this clears what earlier versions kept.
  `
  DELETE FROM seen_events WHERE EXISTS (
    SELECT 1 FROM sessions
    WHERE sessions.server = seen_events.server AND sessions.id = seen_events.session_id
      AND sessions.finished != 0
  );
  `,
  // The outbox holds encoded requests ("chunks": records encoded and compressed once, at commit,
  // sent byte for byte) instead of one JSON row per record; a counter row replaces count(*). The
  // records pending in a version-2 outbox become stored-records chunks, in their drain order.
  `
  CREATE TABLE log_chunks (
    id INTEGER PRIMARY KEY,
    destination TEXT NOT NULL,
    oldest_ns INTEGER NOT NULL,
    newest_ns INTEGER NOT NULL,
    record_count INTEGER NOT NULL,
    enqueued_at_ms INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    content_encoding TEXT NOT NULL,
    body BLOB NOT NULL
  );
  CREATE INDEX log_chunks_drain_order ON log_chunks (destination, oldest_ns, id);
  CREATE TABLE IF NOT EXISTS log_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    record_key TEXT NOT NULL UNIQUE,
    server TEXT NOT NULL,
    time_unix_nano INTEGER NOT NULL,
    enqueued_at_ms INTEGER NOT NULL,
    size_bytes INTEGER NOT NULL,
    record TEXT NOT NULL
  );
  INSERT INTO log_chunks
    (destination, oldest_ns, newest_ns, record_count, enqueued_at_ms, content_type, content_encoding, body)
  SELECT '${DEFAULT_DESTINATION}', min(time_unix_nano), max(time_unix_nano), count(*), min(enqueued_at_ms),
    '${STORED_RECORDS_CONTENT_TYPE}', '',
    CAST(group_concat(record, char(10) ORDER BY time_unix_nano, id) AS BLOB)
  FROM (
    SELECT *, (row_number() OVER (ORDER BY time_unix_nano, id) - 1) / ${STORED_CHUNK_RECORDS} AS chunk
    FROM log_outbox
  )
  GROUP BY chunk ORDER BY chunk;
  DROP TABLE log_outbox;
  DELETE FROM sqlite_sequence WHERE name = 'log_outbox';
  CREATE TABLE IF NOT EXISTS log_dead_letter (
    id INTEGER PRIMARY KEY,
    record_key TEXT NOT NULL,
    server TEXT NOT NULL,
    time_unix_nano INTEGER NOT NULL,
    enqueued_at_ms INTEGER NOT NULL,
    record TEXT NOT NULL,
    reason TEXT NOT NULL,
    status INTEGER,
    message TEXT NOT NULL,
    dead_lettered_at_ms INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS log_dead_letter_reason ON log_dead_letter (reason, id);
  ALTER TABLE log_dead_letter ADD COLUMN destination TEXT NOT NULL DEFAULT '${DEFAULT_DESTINATION}';
  CREATE TABLE log_totals (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    outbox_records INTEGER NOT NULL,
    dead_letters INTEGER NOT NULL
  );
  INSERT INTO log_totals (id, outbox_records, dead_letters) VALUES (
    1,
    (SELECT coalesce(sum(record_count), 0) FROM log_chunks),
    (SELECT count(*) FROM log_dead_letter)
  );
  CREATE TRIGGER log_chunks_added AFTER INSERT ON log_chunks BEGIN
    UPDATE log_totals SET outbox_records = outbox_records + NEW.record_count;
  END;
  CREATE TRIGGER log_chunks_removed AFTER DELETE ON log_chunks BEGIN
    UPDATE log_totals SET outbox_records = outbox_records - OLD.record_count;
  END;
  CREATE TRIGGER log_dead_letter_added AFTER INSERT ON log_dead_letter BEGIN
    UPDATE log_totals SET dead_letters = dead_letters + 1;
  END;
  CREATE TRIGGER log_dead_letter_removed AFTER DELETE ON log_dead_letter BEGIN
    UPDATE log_totals SET dead_letters = dead_letters - 1;
  END;
  `,
  // The feed of watched accesses (restore events that touched a watched subject).
  `
  CREATE TABLE IF NOT EXISTS watched_accesses (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    server TEXT NOT NULL,
    organization TEXT,
    subject TEXT NOT NULL,
    session_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    status TEXT NOT NULL,
    time_text TEXT NOT NULL,
    time_ns INTEGER NOT NULL,
    initiated_by TEXT,
    client_host TEXT,
    client_gateway TEXT,
    restore_type TEXT NOT NULL,
    item_name TEXT,
    item_source TEXT,
    item_target TEXT,
    observed_ms INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS watched_accesses_observed ON watched_accesses (observed_ms);
`,
  // Records VBO sent that could not be read, kept (scrubbed, bounded) instead of failing the poll;
  // one row per record, resolved once the record reads well and is taken.
  `
  CREATE TABLE IF NOT EXISTS quarantine (
    server TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_key TEXT NOT NULL,
    record_id TEXT,
    session_id TEXT,
    reason TEXT NOT NULL,
    field TEXT,
    message TEXT NOT NULL,
    raw TEXT NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    resolved_at_ms INTEGER,
    PRIMARY KEY (server, kind, record_key)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS quarantine_open ON quarantine (server, session_id)
    WHERE resolved_at_ms IS NULL;
`,
  // The label values admitted per server and label by the cardinality guard (client_host keeps
  // its own table).
  `
  CREATE TABLE IF NOT EXISTS label_values (
    server TEXT NOT NULL,
    label TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (server, label, value)
  ) WITHOUT ROWID;
`,
  // A tenant user's newest sessions are found by organization, not by scanning everyone's.
  `
  CREATE INDEX IF NOT EXISTS sessions_by_organization ON sessions (organization, creation_ns);
`,
  // The grace of a quarantined record whose session VBO reports ended: how many reads since then
  // still found it unreadable, from when; and when its session was finished without it (given up).
  // The table is rebuilt rather than altered, so that the migration can run again on a file whose
  // version was set back (as every earlier one can).
  `
  DROP TABLE IF EXISTS quarantine_next;
  CREATE TABLE quarantine_next (
    server TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_key TEXT NOT NULL,
    record_id TEXT,
    session_id TEXT,
    reason TEXT NOT NULL,
    field TEXT,
    message TEXT NOT NULL,
    raw TEXT NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    resolved_at_ms INTEGER,
    ended_reads INTEGER NOT NULL DEFAULT 0,
    ended_seen_ms INTEGER,
    given_up_at_ms INTEGER,
    PRIMARY KEY (server, kind, record_key)
  ) WITHOUT ROWID;
  INSERT INTO quarantine_next (server, kind, record_key, record_id, session_id, reason, field,
    message, raw, first_seen_ms, last_seen_ms, resolved_at_ms)
  SELECT server, kind, record_key, record_id, session_id, reason, field, message, raw,
    first_seen_ms, last_seen_ms, resolved_at_ms FROM quarantine;
  DROP TABLE quarantine;
  ALTER TABLE quarantine_next RENAME TO quarantine;
  CREATE INDEX IF NOT EXISTS quarantine_open ON quarantine (server, session_id)
    WHERE resolved_at_ms IS NULL;
`,
];
