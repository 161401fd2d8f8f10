import type { Migration } from './migration.js';

/**
 * PostgreSQL schema, one ordered list. Times the store owns are timestamptz; times taken from plans
 * and imported documents are text as given; reported JSON is `json` (kept byte for byte), the
 * per-calendar proof state `jsonb` (queried).
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    statements: [
      // Every check-in rewrites its appliance row: free space on each page keeps those updates HOT.
      `CREATE TABLE appliances (
         id text PRIMARY KEY,
         last_checkin_at timestamptz NOT NULL,
         agent_version text,
         image_version text,
         update_report json,
         defer_until text,
         retention json
       ) WITH (fillfactor = 70)`,
      `CREATE TABLE checkin_history (
         id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         appliance text NOT NULL,
         at timestamptz NOT NULL,
         report json NOT NULL
       )`,
      'CREATE INDEX checkin_history_by_appliance ON checkin_history (appliance, id)',
      `CREATE TABLE tokens (
         appliance text PRIMARY KEY,
         token_sha256 text NOT NULL UNIQUE,
         created_at timestamptz NOT NULL,
         rotated_at timestamptz
       )`,
      `CREATE TABLE desired_state (
         id integer PRIMARY KEY CHECK (id = 1),
         revision text NOT NULL,
         objects json NOT NULL,
         applied_at text NOT NULL
       )`,
      `CREATE TABLE source_status (
         id integer PRIMARY KEY CHECK (id = 1),
         last_applied_revision text,
         last_attempted_revision text,
         errors json NOT NULL,
         at text NOT NULL
       )`,
      `CREATE TABLE rollouts (
         name text PRIMARY KEY,
         stage integer NOT NULL,
         stage_started_at text NOT NULL,
         phase text NOT NULL,
         conditions json,
         latch json,
         revision text
       )`,
      `CREATE TABLE assignments (
         seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         rollout text NOT NULL,
         appliance text NOT NULL,
         release text NOT NULL,
         at text NOT NULL,
         UNIQUE (rollout, appliance)
       )`,
      'CREATE INDEX assignments_by_appliance ON assignments (appliance)',
      `CREATE TABLE findings (
         key text PRIMARY KEY,
         type text NOT NULL,
         severity text NOT NULL,
         appliance text,
         rollout text,
         policy text,
         since text,
         message text NOT NULL,
         first_seen text NOT NULL,
         last_seen text NOT NULL,
         resolved_at text
       )`,
      'CREATE INDEX findings_open ON findings (first_seen) WHERE resolved_at IS NULL',
      `CREATE TABLE events (
         id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         at text NOT NULL,
         revision text,
         type text NOT NULL,
         rollout text,
         appliance text,
         detail json NOT NULL
       )`,
      'CREATE INDEX events_by_rollout ON events (rollout, id)',
      'CREATE INDEX events_by_appliance ON events (appliance, id)',
      `CREATE TABLE ots_proofs (
         id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         bundle_id text NOT NULL UNIQUE,
         bundle_sha256 text NOT NULL,
         status text NOT NULL CHECK (status IN ('pending', 'anchored', 'expired', 'failed')),
         created_at timestamptz NOT NULL,
         upgraded_at timestamptz,
         checked_at timestamptz,
         proof bytea NOT NULL,
         calendars jsonb NOT NULL,
         not_found boolean NOT NULL DEFAULT false
       )`,
      "CREATE INDEX ots_proofs_pending ON ots_proofs (created_at) WHERE status = 'pending'",
      'CREATE INDEX ots_proofs_to_check ON ots_proofs (status, checked_at NULLS FIRST, created_at)',
      'CREATE INDEX ots_proofs_not_found ON ots_proofs (status) WHERE not_found',
      `CREATE TABLE state_version (
         id integer PRIMARY KEY CHECK (id = 1),
         version integer NOT NULL
       )`,
      'INSERT INTO state_version (id, version) VALUES (1, 0)',
      `CREATE TABLE latest_plan (
         id integer PRIMARY KEY CHECK (id = 1),
         plan json NOT NULL,
         revision text,
         version integer NOT NULL,
         saved_at text NOT NULL
       )`,
    ],
  },
  {
    version: 2,
    name: 'token change sequence',
    // Token writes take the next number from token_changes, whose row lock they hold until commit:
    // numbers are therefore committed in order, and a reader that sees number n has seen all below it.
    statements: [
      'ALTER TABLE tokens ADD COLUMN change_seq bigint NOT NULL DEFAULT 0',
      'CREATE INDEX tokens_by_change ON tokens (change_seq)',
      `CREATE TABLE token_changes (
         id integer PRIMARY KEY CHECK (id = 1),
         seq bigint NOT NULL
       )`,
      'INSERT INTO token_changes (id, seq) VALUES (1, 0)',
    ],
  },
  {
    version: 3,
    name: 'proof expiry cutoff and finding calendars',
    // Expiry records a cutoff that readers apply (a pending proof created before it reads as
    // expired) instead of rewriting a million wide rows first; the rows are rewritten afterwards, in
    // the background. Rows already stored keep their status: '-infinity' expires nothing more.
    // A finding's calendar is part of its identity (one OtsCalendarNotFound per calendar).
    statements: [
      `CREATE TABLE ots_expiry (
         id integer PRIMARY KEY CHECK (id = 1),
         cutoff timestamptz NOT NULL
       )`,
      "INSERT INTO ots_expiry (id, cutoff) VALUES (1, '-infinity')",
      'ALTER TABLE findings ADD COLUMN calendar text',
    ],
  },
  {
    version: 4,
    name: 'notification outbox',
    // One row per event and notifier, written in the transaction that applies the plan causing it.
    // The sender claims due rows (FOR UPDATE SKIP LOCKED) by moving next_attempt_at past a lease, so a
    // crash between sending and recording resends after the lease and another replica skips them.
    statements: [
      `CREATE TABLE notification_outbox (
         seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         notifier text NOT NULL,
         id text NOT NULL,
         subject_key text NOT NULL,
         kind text NOT NULL,
         created_at timestamptz NOT NULL,
         next_attempt_at timestamptz NOT NULL,
         attempts integer NOT NULL DEFAULT 0,
         last_error text,
         delivered_at timestamptz,
         gave_up_at timestamptz,
         event json NOT NULL,
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
         revision text PRIMARY KEY,
         first_applied_at text NOT NULL,
         author text,
         committed_at text,
         subject text
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
         name text PRIMARY KEY,
         token_sha256 text NOT NULL UNIQUE,
         created_at timestamptz NOT NULL,
         rotated_at timestamptz
       )`,
    ],
  },
  {
    version: 7,
    name: 'rollout release, version and rollback; assignment previous target',
    // A rollout records what ranks it (its release, that release's version, whether it is a
    // rollback), so that it still ranks once its file, or its Release's, left the repository. An
    // assignment records the target it replaced ({rollout, release}). Rows made before stay NULL:
    // readers fall back to the rollout's assignments and the declared Release.
    statements: [
      'ALTER TABLE rollouts ADD COLUMN release text',
      'ALTER TABLE rollouts ADD COLUMN version text',
      'ALTER TABLE rollouts ADD COLUMN rollback boolean',
      'ALTER TABLE assignments ADD COLUMN previous json',
    ],
  },
  {
    version: 8,
    name: 'proof counts by stored status',
    // How many proofs each stored status holds, kept by statement-level triggers in the transaction
    // of every proof write (one counter update per statement and status, however many rows it
    // touched), so counting settled proofs reads four rows instead of scanning the table. A database
    // made before counts its proofs once, here.
    statements: [
      `CREATE TABLE ots_proof_counts (
         status text PRIMARY KEY CHECK (status IN ('pending', 'anchored', 'expired', 'failed')),
         count bigint NOT NULL
       )`,
      `INSERT INTO ots_proof_counts (status, count)
       SELECT s, (SELECT count(*) FROM ots_proofs p WHERE p.status = s) FROM unnest(ARRAY['pending', 'anchored', 'expired', 'failed']) AS s`,
      // Rows an UPDATE left in their status cancel out: no counter is written for them.
      `CREATE FUNCTION muster_count_proofs() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'TRUNCATE' THEN
           UPDATE ots_proof_counts SET count = 0;
         ELSIF TG_OP = 'INSERT' THEN
           UPDATE ots_proof_counts c SET count = c.count + d.n FROM (SELECT status, count(*) AS n FROM new_rows GROUP BY status) d
           WHERE c.status = d.status;
         ELSIF TG_OP = 'DELETE' THEN
           UPDATE ots_proof_counts c SET count = c.count - d.n FROM (SELECT status, count(*) AS n FROM old_rows GROUP BY status) d
           WHERE c.status = d.status;
         ELSE
           UPDATE ots_proof_counts c SET count = c.count + d.n FROM (
             SELECT status, sum(n) AS n FROM (SELECT status, 1 AS n FROM new_rows UNION ALL SELECT status, -1 FROM old_rows) x
             GROUP BY status HAVING sum(n) <> 0) d
           WHERE c.status = d.status;
         END IF;
         RETURN NULL;
       END $$`,
      `CREATE TRIGGER ots_proofs_counted_insert AFTER INSERT ON ots_proofs REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION muster_count_proofs()`,
      `CREATE TRIGGER ots_proofs_counted_update AFTER UPDATE ON ots_proofs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION muster_count_proofs()`,
      `CREATE TRIGGER ots_proofs_counted_delete AFTER DELETE ON ots_proofs REFERENCING OLD TABLE AS old_rows
       FOR EACH STATEMENT EXECUTE FUNCTION muster_count_proofs()`,
      'CREATE TRIGGER ots_proofs_counted_truncate AFTER TRUNCATE ON ots_proofs FOR EACH STATEMENT EXECUTE FUNCTION muster_count_proofs()',
    ],
  },
  {
    version: 9,
    name: 'saved plan compressed',
    // The saved plan as Brotli-compressed JSON (see compressed-json.ts): at 100,000 appliances 51 MB
    // of JSON, which PostgreSQL parsed, compressed again and logged every 30 seconds, become under 1 MB.
    // A plan saved before stays readable in `plan` until the next save replaces it.
    statements: ['ALTER TABLE latest_plan ADD COLUMN packed bytea', 'ALTER TABLE latest_plan ALTER COLUMN plan DROP NOT NULL'],
  },
];
