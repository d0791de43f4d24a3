// The state database's tables and migrations; the meta table marks the file as ours.

export const APPLICATION_ID = "vbo-restore-exporter";
export const SCHEMA_VERSION = 2;

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
];
