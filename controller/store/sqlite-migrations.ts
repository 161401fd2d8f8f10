import type { Migration } from './migration.js';

/**
 * SQLite schema, one ordered list. Times the store owns are INTEGER milliseconds since the epoch;
 * times taken from plans and imported documents are TEXT as given; JSON is TEXT.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    statements: [
      `CREATE TABLE appliances (
         id TEXT PRIMARY KEY,
         last_checkin_at INTEGER NOT NULL,
         agent_version TEXT,
         image_version TEXT,
         update_report TEXT,
         defer_until TEXT,
         retention TEXT
       )`,
      `CREATE TABLE checkin_history (
         id INTEGER PRIMARY KEY,
         appliance TEXT NOT NULL,
         at INTEGER NOT NULL,
         report TEXT NOT NULL
       )`,
      'CREATE INDEX checkin_history_by_appliance ON checkin_history (appliance, id)',
      `CREATE TABLE tokens (
         appliance TEXT PRIMARY KEY,
         token_sha256 TEXT NOT NULL UNIQUE,
         created_at INTEGER NOT NULL,
         rotated_at INTEGER
       )`,
      `CREATE TABLE desired_state (
         id INTEGER PRIMARY KEY CHECK (id = 1),
         revision TEXT NOT NULL,
         objects TEXT NOT NULL,
         applied_at TEXT NOT NULL
       )`,
      `CREATE TABLE source_status (
         id INTEGER PRIMARY KEY CHECK (id = 1),
         last_applied_revision TEXT,
         last_attempted_revision TEXT,
         errors TEXT NOT NULL,
         at TEXT NOT NULL
       )`,
      `CREATE TABLE rollouts (
         name TEXT PRIMARY KEY,
         stage INTEGER NOT NULL,
         stage_started_at TEXT NOT NULL,
         phase TEXT NOT NULL,
         conditions TEXT,
         latch TEXT,
         revision TEXT
       )`,
      `CREATE TABLE assignments (
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         rollout TEXT NOT NULL,
         appliance TEXT NOT NULL,
         release TEXT NOT NULL,
         at TEXT NOT NULL,
         UNIQUE (rollout, appliance)
       )`,
      'CREATE INDEX assignments_by_appliance ON assignments (appliance)',
      `CREATE TABLE findings (
         key TEXT PRIMARY KEY,
         type TEXT NOT NULL,
         severity TEXT NOT NULL,
         appliance TEXT,
         rollout TEXT,
         policy TEXT,
         since TEXT,
         message TEXT NOT NULL,
         first_seen TEXT NOT NULL,
         last_seen TEXT NOT NULL,
         resolved_at TEXT
       )`,
      'CREATE INDEX findings_open ON findings (resolved_at, first_seen)',
      `CREATE TABLE events (
         id INTEGER PRIMARY KEY,
         at TEXT NOT NULL,
         revision TEXT,
         type TEXT NOT NULL,
         rollout TEXT,
         appliance TEXT,
         detail TEXT NOT NULL
       )`,
      'CREATE INDEX events_by_rollout ON events (rollout, id)',
      'CREATE INDEX events_by_appliance ON events (appliance, id)',
      `CREATE TABLE ots_proofs (
         id INTEGER PRIMARY KEY,
         bundle_id TEXT NOT NULL UNIQUE,
         bundle_sha256 TEXT NOT NULL,
         status TEXT NOT NULL CHECK (status IN ('pending', 'anchored', 'expired', 'failed')),
         created_at INTEGER NOT NULL,
         upgraded_at INTEGER,
         checked_at INTEGER,
         proof BLOB NOT NULL,
         calendars TEXT NOT NULL,
         not_found INTEGER NOT NULL DEFAULT 0
       )`,
      "CREATE INDEX ots_proofs_pending ON ots_proofs (created_at) WHERE status = 'pending'",
      'CREATE INDEX ots_proofs_to_check ON ots_proofs (status, checked_at, created_at)',
      'CREATE INDEX ots_proofs_not_found ON ots_proofs (status) WHERE not_found = 1',
      `CREATE TABLE state_version (
         id INTEGER PRIMARY KEY CHECK (id = 1),
         version INTEGER NOT NULL
       )`,
      'INSERT INTO state_version (id, version) VALUES (1, 0)',
      `CREATE TABLE latest_plan (
         id INTEGER PRIMARY KEY CHECK (id = 1),
         plan TEXT NOT NULL,
         revision TEXT,
         version INTEGER NOT NULL,
         saved_at TEXT NOT NULL
       )`,
    ],
  },
  {
    version: 2,
    name: 'token change sequence',
    // Every token write stamps the rows it writes with one number above all before it (writes are
    // serialized), so the API's token cache can ask for what changed since the last number it saw.
    statements: [
      'ALTER TABLE tokens ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0',
      'CREATE INDEX tokens_by_change ON tokens (change_seq)',
    ],
  },
  {
    version: 3,
    name: 'proof expiry cutoff and finding calendars',
    // Expiry records a cutoff that readers apply (a pending proof created before it reads as
    // expired); the rows are rewritten afterwards, in the background. Rows already stored keep their
    // status: the earliest time a Date holds expires nothing more. A finding's calendar is part of
    // its identity (one OtsCalendarNotFound per calendar).
    statements: [
      `CREATE TABLE ots_expiry (
         id INTEGER PRIMARY KEY CHECK (id = 1),
         cutoff INTEGER NOT NULL
       )`,
      'INSERT INTO ots_expiry (id, cutoff) VALUES (1, -8640000000000000)',
      'ALTER TABLE findings ADD COLUMN calendar TEXT',
    ],
  },
  {
    version: 4,
    name: 'notification outbox',
    // One row per event and notifier, written in the transaction that applies the plan causing it.
    // The sender claims due rows by moving next_attempt_at past a lease, so a crash between sending
    // and recording resends after the lease (at least once) and a second sender skips them.
    statements: [
      `CREATE TABLE notification_outbox (
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         notifier TEXT NOT NULL,
         id TEXT NOT NULL,
         subject_key TEXT NOT NULL,
         kind TEXT NOT NULL,
         created_at INTEGER NOT NULL,
         next_attempt_at INTEGER NOT NULL,
         attempts INTEGER NOT NULL DEFAULT 0,
         last_error TEXT,
         delivered_at INTEGER,
         gave_up_at INTEGER,
         event TEXT NOT NULL,
         UNIQUE (notifier, id)
       )`,
      'CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at) WHERE delivered_at IS NULL AND gave_up_at IS NULL',
      'CREATE INDEX notification_outbox_subject ON notification_outbox (notifier, subject_key) WHERE delivered_at IS NULL AND gave_up_at IS NULL',
      'CREATE INDEX notification_outbox_delivered ON notification_outbox (notifier, delivered_at)',
    ],
  },
  {
    version: 5,
    name: 'revision history',
    // Every revision applied, first time only, with its commit's author for the audit trail.
    // Databases from before keep working: their history starts at the next revision applied.
    statements: [
      `CREATE TABLE revisions (
         revision TEXT PRIMARY KEY,
         first_applied_at TEXT NOT NULL,
         author TEXT,
         committed_at TEXT,
         subject TEXT
       )`,
    ],
  },
  {
    version: 6,
    name: 'operator tokens',
    // The status page's credentials: one per operator, stored as its sha256 like an appliance's token,
    // in a table of their own so that an appliance token can never open the page.
    statements: [
      `CREATE TABLE operator_tokens (
         name TEXT PRIMARY KEY,
         token_sha256 TEXT NOT NULL UNIQUE,
         created_at INTEGER NOT NULL,
         rotated_at INTEGER
       )`,
    ],
  },
  {
    version: 7,
    name: 'rollout release, version and rollback; assignment previous target',
    // A rollout records what ranks it (its release, that release's version, whether it is a
    // rollback), so that it still ranks once its file, or its Release's, left the repository. An
    // assignment records the target it replaced (JSON {rollout, release}). Rows made before stay
    // NULL: readers fall back to the rollout's assignments and the declared Release.
    statements: [
      'ALTER TABLE rollouts ADD COLUMN release TEXT',
      'ALTER TABLE rollouts ADD COLUMN version TEXT',
      'ALTER TABLE rollouts ADD COLUMN rollback INTEGER',
      'ALTER TABLE assignments ADD COLUMN previous TEXT',
    ],
  },
  {
    version: 8,
    name: 'proof counts by stored status',
    // How many proofs each stored status holds, kept by triggers in the transaction of every proof
    // write, so counting settled proofs reads four rows instead of scanning the table. A database
    // made before counts its proofs once, here.
    statements: [
      `CREATE TABLE ots_proof_counts (
         status TEXT PRIMARY KEY CHECK (status IN ('pending', 'anchored', 'expired', 'failed')),
         count INTEGER NOT NULL
       )`,
      `INSERT INTO ots_proof_counts (status, count)
       SELECT s.column1, (SELECT count(*) FROM ots_proofs p WHERE p.status = s.column1)
       FROM (VALUES ('pending'), ('anchored'), ('expired'), ('failed')) AS s`,
      `CREATE TRIGGER ots_proofs_counted_insert AFTER INSERT ON ots_proofs BEGIN
         UPDATE ots_proof_counts SET count = count + 1 WHERE status = NEW.status;
       END`,
      `CREATE TRIGGER ots_proofs_counted_delete AFTER DELETE ON ots_proofs BEGIN
         UPDATE ots_proof_counts SET count = count - 1 WHERE status = OLD.status;
       END`,
      `CREATE TRIGGER ots_proofs_counted_update AFTER UPDATE OF status ON ots_proofs WHEN OLD.status <> NEW.status BEGIN
         UPDATE ots_proof_counts SET count = count - 1 WHERE status = OLD.status;
         UPDATE ots_proof_counts SET count = count + 1 WHERE status = NEW.status;
       END`,
    ],
  },
  {
    version: 9,
    name: 'saved plan compressed',
    // Nothing to change here: SQLite's `latest_plan.plan` takes the compressed plan as a BLOB as it is
    // (a column's declared type does not bind its values). The version keeps both stores' lists alike.
    statements: [],
  },
];
