/**
 * Schema migrations: an ordered list of SQL steps, each recorded in `schema_migrations` once applied.
 * Opening the store applies the missing ones in one BEGIN IMMEDIATE transaction, so two processes
 * opening a new file at once migrate it once, and a failed step leaves the schema as it was. A database
 * written by a newer build is refused rather than used with a schema this build does not know.
 *
 * Steps are append-only: a released step is never edited (databases in the field already ran it); a
 * change is a new step. Versions increase but may have gaps while branches are in flight: each step is
 * applied when it is not recorded yet, so a step merged later with a lower version than one a database
 * already ran (a branch that reserved it) still runs there.
 */
import type { Database } from 'better-sqlite3'

export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

export class SchemaVersionError extends Error {
  override readonly name = 'SchemaVersionError'
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'approvals, jobs, interactions, audit chain',
    sql: `
      CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'expired', 'cancelled')),
        path TEXT NOT NULL,
        args TEXT NOT NULL CHECK (json_type(args) = 'object'),
        plan_digest TEXT NOT NULL,
        plan_summary TEXT NOT NULL,
        requester_key TEXT NOT NULL,
        requester_name TEXT NOT NULL,
        quorum INTEGER NOT NULL CHECK (quorum >= 1),
        approvals TEXT NOT NULL DEFAULT '[]' CHECK (json_type(approvals) = 'array'),
        decided_by TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        -- No foreign key: the job id is claimed before the job row is written (run once, then start).
        job_id TEXT
      ) STRICT;
      CREATE INDEX approvals_by_state ON approvals (state, expires_at);

      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'interrupted')),
        path TEXT NOT NULL,
        summary TEXT NOT NULL,
        requester_key TEXT NOT NULL,
        requester_name TEXT NOT NULL,
        approval_id TEXT REFERENCES approvals (id),
        steps TEXT NOT NULL CHECK (json_type(steps) = 'array'),
        result TEXT,
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX jobs_by_requester ON jobs (requester_key, created_at);
      CREATE INDEX jobs_running ON jobs (state) WHERE state = 'running';

      CREATE TABLE interactions (
        id TEXT PRIMARY KEY,
        seen_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX interactions_by_time ON interactions (seen_at);

      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        request_id TEXT,
        platform TEXT,
        user_id TEXT,
        user_name TEXT,
        channel TEXT,
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;
      -- The last entry, kept beside the chain: removing the tail leaves the head pointing past it.
      CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;
      INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}');
      -- Append-only for the application. Someone with the file can drop these; the chain catches that.
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
        BEGIN SELECT RAISE(ABORT, 'the audit head cannot be removed'); END;
    `,
  },
  {
    version: 2,
    name: 'approvals: the groups the requester held',
    sql: `
      ALTER TABLE approvals ADD COLUMN requester_groups TEXT NOT NULL DEFAULT '[]'
        CHECK (json_type(requester_groups) = 'array');
    `,
  },
  {
    // Issue #11. Each alert's record is JSON beside the columns that are queried or constrained; its
    // state column is kept in step with the JSON, and at most one alert per condition is not resolved.
    version: 3,
    name: 'alert state: alerts, their posts, digests, mutes',
    sql: `
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        key TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
        first_at INTEGER NOT NULL,
        data TEXT NOT NULL CHECK (json_type(data) = 'object')
      ) STRICT;
      CREATE UNIQUE INDEX alerts_live_by_key ON alerts (key) WHERE state != 'resolved';
      CREATE INDEX alerts_by_key ON alerts (key, first_at);

      CREATE TABLE alert_digests (
        id TEXT PRIMARY KEY,
        platform TEXT NOT NULL,
        channel TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (reason IN ('storm', 'quiet')),
        closed INTEGER NOT NULL CHECK (closed IN (0, 1)),
        data TEXT NOT NULL CHECK (json_type(data) = 'object')
      ) STRICT;
      CREATE INDEX alert_digests_open ON alert_digests (platform, channel, reason) WHERE closed = 0;

      -- Where each alert went at each destination: its own message, a digest that counts it, or
      -- neither yet (pending: posted after a restart if the bot stopped first).
      CREATE TABLE alert_posts (
        alert_id TEXT NOT NULL REFERENCES alerts (id),
        platform TEXT NOT NULL,
        channel TEXT NOT NULL,
        message_id TEXT,
        digest_id TEXT REFERENCES alert_digests (id),
        PRIMARY KEY (alert_id, platform, channel)
      ) STRICT;
      CREATE INDEX alert_posts_by_digest ON alert_posts (digest_id) WHERE digest_id IS NOT NULL;

      CREATE TABLE alert_mutes (
        key TEXT PRIMARY KEY,
        until INTEGER NOT NULL,
        muted_by TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'ssh host keys pinned per VM',
    sql: `
      -- One trusted host key per VM (pinned on first use, replaced only by an admin's /xen trust).
      CREATE TABLE ssh_host_keys (
        vm_uuid TEXT PRIMARY KEY,
        pool TEXT NOT NULL,
        vm_name TEXT NOT NULL,
        algorithm TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL CHECK (fingerprint LIKE 'SHA256:%'),
        pinned_at INTEGER NOT NULL,
        pinned_by TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'the replica that runs a job, and where its card is',
    sql: `
      -- Issue #15: several replicas may share a database (PostgreSQL); SQLite keeps the columns so both
      -- stores pass one contract. owner is NULL for jobs of a single-process bot; card is the message
      -- showing the job's card (JSON: platform, channel, messageId), so whoever closes the job edits it.
      ALTER TABLE jobs ADD COLUMN owner TEXT;
      ALTER TABLE jobs ADD COLUMN card TEXT;
    `,
  },
]

const latestOf = (migrations: readonly Migration[]) => migrations.at(-1)?.version ?? 0

/**
 * Throws unless the versions are whole numbers that increase along the list (gaps allowed); both
 * engines' lists follow this rule, checked before anything is applied.
 */
export function assertIncreasing(migrations: readonly Migration[]): void {
  migrations.forEach((step, index) => {
    const previous = index === 0 ? 0 : (migrations[index - 1]?.version ?? 0)
    if (!Number.isInteger(step.version) || step.version <= previous)
      throw new Error(`migration ${step.name} must have a version above ${previous}`)
  })
}

/** The highest version recorded in the database, 0 for a database never migrated. */
export function schemaVersion(db: Database): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get()
  if (table === undefined) return 0
  const row = db.prepare('SELECT max(version) AS version FROM schema_migrations').get() as { version: number | null }
  return row.version ?? 0
}

/** The versions recorded in the database (none for a database never migrated). */
export function appliedVersions(db: Database): number[] {
  if (schemaVersion(db) === 0) return []
  return db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[]
}

/** Whether every step of this build is recorded in the database (a read-only opener needs that). */
export function isCurrent(db: Database, migrations: readonly Migration[] = MIGRATIONS): boolean {
  const done = new Set(appliedVersions(db))
  return migrations.every((step) => done.has(step.version))
}

/** Refuses a database from a newer build: its schema may mean things this build would get wrong. */
export function assertKnownVersion(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = schemaVersion(db)
  const latest = latestOf(migrations)
  if (current > latest)
    throw new SchemaVersionError(
      `the database ${db.name} is at schema version ${current}, but this xen-chatops knows versions up to ${latest}: ` +
        'run a newer xen-chatops, or point it at another data directory',
    )
  return current
}

/**
 * Applies the steps the database has not run yet, in order; returns their versions (empty when the
 * schema is current, so applying twice is a no-op). Throws SchemaVersionError for a newer database.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS, now = Date.now): number[] {
  assertIncreasing(migrations)
  const run = db.transaction(() => {
    db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT',
    )
    assertKnownVersion(db, migrations)
    const done = new Set(appliedVersions(db))
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
    const applied: number[] = []
    for (const step of migrations) {
      if (done.has(step.version)) continue
      db.exec(step.sql)
      record.run(step.version, step.name, now())
      applied.push(step.version)
    }
    return applied
  })
  return run.immediate()
}
