/**
 * The PostgreSQL schema as versioned steps, recorded in `schema_migrations` like SQLite's
 * (src/store/migrations.ts, same rules: append-only, a released step is never edited, a database from
 * a newer build is refused). Its own list, since the SQL differs; the tables, columns and meanings are
 * SQLite's, so the same contract suite holds on both (tests/store/contract).
 *
 * Several replicas may start at once against one database: each takes a transaction-level advisory
 * lock keyed by the schema before looking, so one migrates and the others then find nothing to do.
 * DDL is transactional in PostgreSQL, so a failed step leaves the schema as it was.
 *
 * JSON is stored as text (checked with `json`, not `jsonb`): jsonb refuses `\u0000`, which text typed in
 * a chat can carry, and text keeps exactly what SQLite keeps.
 */
import type { ClientBase } from 'pg'
import { escapeIdentifier } from 'pg'
import { assertIncreasing, type Migration, SchemaVersionError } from '../migrations.js'

/** The advisory lock class for migrations ('xcmg'); the second key is the schema's hash. */
const MIGRATION_LOCK = 0x78636d67

const isJson = (column: string, type: 'object' | 'array') => `CHECK (json_typeof(${column}::json) = '${type}')`

export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'approvals, jobs, interactions, audit chain, alert state, ssh host keys',
    sql: `
      CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'expired', 'cancelled')),
        path TEXT NOT NULL,
        args TEXT NOT NULL ${isJson('args', 'object')},
        plan_digest TEXT NOT NULL,
        plan_summary TEXT NOT NULL,
        requester_key TEXT NOT NULL,
        requester_name TEXT NOT NULL,
        requester_groups TEXT NOT NULL DEFAULT '[]' ${isJson('requester_groups', 'array')},
        quorum INTEGER NOT NULL CHECK (quorum >= 1),
        approvals TEXT NOT NULL DEFAULT '[]' ${isJson('approvals', 'array')},
        decided_by TEXT,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        -- No foreign key: the job id is claimed before the job row is written (run once, then start).
        job_id TEXT
      );
      CREATE INDEX approvals_by_state ON approvals (state, expires_at);

      CREATE TABLE jobs (
        -- Insertion order, for ties in created_at (SQLite's rowid).
        ord BIGINT GENERATED ALWAYS AS IDENTITY,
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'interrupted')),
        path TEXT NOT NULL,
        summary TEXT NOT NULL,
        requester_key TEXT NOT NULL,
        requester_name TEXT NOT NULL,
        approval_id TEXT REFERENCES approvals (id),
        -- The replica running the job: only a job whose replica is gone is marked interrupted.
        owner TEXT,
        steps TEXT NOT NULL ${isJson('steps', 'array')},
        result TEXT,
        error TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX jobs_by_requester ON jobs (requester_key, created_at DESC, ord DESC);
      CREATE INDEX jobs_running ON jobs (owner) WHERE state = 'running';

      CREATE TABLE interactions (
        id TEXT PRIMARY KEY,
        seen_at BIGINT NOT NULL
      );
      CREATE INDEX interactions_by_time ON interactions (seen_at);

      CREATE TABLE audit_log (
        seq BIGINT PRIMARY KEY,
        at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        request_id TEXT,
        platform TEXT,
        user_id TEXT,
        user_name TEXT,
        channel TEXT,
        -- The canonical JSON that was hashed, byte for byte.
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      -- The last entry, kept beside the chain: removing the tail leaves the head pointing past it. Its
      -- row lock is what serialises appends from every replica.
      CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq BIGINT NOT NULL,
        hash TEXT NOT NULL
      );
      INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}');
      -- Append-only for the application. Someone owning the tables can drop these; the chain catches that.
      CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END
      $$;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_refuse('the audit log is append-only');
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_refuse('the audit log is append-only');
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse('the audit log is append-only');
      CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
        FOR EACH ROW EXECUTE FUNCTION audit_refuse('the audit head cannot be removed');
      CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse('the audit head cannot be removed');

      -- Issue #11. Each alert's record is JSON beside the columns that are queried or constrained (kept
      -- in step with the JSON); at most one alert per condition is not resolved.
      CREATE TABLE alerts (
        ord BIGINT GENERATED ALWAYS AS IDENTITY,
        id TEXT PRIMARY KEY,
        key TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
        first_at BIGINT NOT NULL,
        resolved_at BIGINT,
        data TEXT NOT NULL ${isJson('data', 'object')}
      );
      CREATE UNIQUE INDEX alerts_live_by_key ON alerts (key) WHERE state <> 'resolved';
      CREATE INDEX alerts_by_key ON alerts (key, first_at DESC, ord DESC);
      CREATE INDEX alerts_resolved ON alerts (resolved_at) WHERE state = 'resolved';

      CREATE TABLE alert_digests (
        ord BIGINT GENERATED ALWAYS AS IDENTITY,
        id TEXT PRIMARY KEY,
        platform TEXT NOT NULL,
        channel TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (reason IN ('storm', 'quiet')),
        closed BOOLEAN NOT NULL,
        data TEXT NOT NULL ${isJson('data', 'object')}
      );
      CREATE INDEX alert_digests_open ON alert_digests (platform, channel, reason, ord DESC) WHERE NOT closed;

      -- Where each alert went at each destination: its own message, a digest that counts it, or
      -- neither yet (pending: posted after a restart if the bot stopped first).
      CREATE TABLE alert_posts (
        alert_id TEXT NOT NULL REFERENCES alerts (id),
        platform TEXT NOT NULL,
        channel TEXT NOT NULL,
        message_id TEXT,
        digest_id TEXT REFERENCES alert_digests (id),
        PRIMARY KEY (alert_id, platform, channel)
      );
      CREATE INDEX alert_posts_by_digest ON alert_posts (digest_id) WHERE digest_id IS NOT NULL;

      CREATE TABLE alert_mutes (
        key TEXT PRIMARY KEY,
        until BIGINT NOT NULL,
        muted_by TEXT NOT NULL
      );

      -- One trusted host key per VM (pinned on first use, replaced only by an admin's /xen trust).
      CREATE TABLE ssh_host_keys (
        vm_uuid TEXT PRIMARY KEY,
        pool TEXT NOT NULL,
        vm_name TEXT NOT NULL,
        algorithm TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL CHECK (fingerprint LIKE 'SHA256:%'),
        pinned_at BIGINT NOT NULL,
        pinned_by TEXT NOT NULL
      );
    `,
  },
  {
    // Issue #15: several replicas on one database. Times are the database's clock (milliseconds), so
    // replicas whose clocks disagree still agree on who is alive and when a lease ran out.
    version: 2,
    name: 'replicas heartbeating, the leader lease',
    sql: `
      CREATE TABLE replicas (
        id TEXT PRIMARY KEY,
        started_at BIGINT NOT NULL,
        seen_at BIGINT NOT NULL
      );
      CREATE TABLE leader_lease (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        -- Counts holders: a replica that took the lease over has a higher term than any before it.
        term BIGINT NOT NULL,
        acquired_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
    `,
  },
  {
    // SQLite's migration 5 gave jobs this column after the first PostgreSQL schema was written: without
    // it a job's card address was dropped here, so the leader could not edit a dead replica's card.
    version: 3,
    name: "where a job's card is",
    sql: `
      -- The message showing the job's card (JSON: platform, channel, messageId), so whoever closes the
      -- job edits it.
      ALTER TABLE jobs ADD COLUMN card TEXT ${isJson('card', 'object')};
    `,
  },
]

/** Names PostgreSQL accepts unquoted and keeps as written (a search_path set at connection start). */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * Applies the steps the database has not run yet, in order, in one transaction under the migration
 * lock, on `client` (a connection of its own, not in a transaction); returns their versions (empty when
 * current). With `schema`, creates it first when missing; the connection must have it as its
 * search_path (openPgStore sets that). On failure it rolls back and throws.
 */
export async function migratePg(
  client: ClientBase,
  schema: string | undefined,
  migrations: readonly Migration[] = PG_MIGRATIONS,
  now: () => number = Date.now,
): Promise<number[]> {
  assertIncreasing(migrations)
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext(coalesce($2, current_schema())))', [
      MIGRATION_LOCK,
      schema ?? null,
    ])
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${escapeIdentifier(schema)}`)
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    )
    const done = await appliedPgVersions(client)
    const current = done.at(-1) ?? 0
    const latest = migrations.at(-1)?.version ?? 0
    if (current > latest)
      throw new SchemaVersionError(
        `the PostgreSQL schema ${schema ?? '(default)'} is at version ${current}, but this xen-chatops knows versions ` +
          `up to ${latest}: run a newer xen-chatops, or point it at another schema`,
      )
    const applied: number[] = []
    for (const step of migrations) {
      if (done.includes(step.version)) continue
      await client.query(step.sql)
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        step.version,
        step.name,
        now(),
      ])
      applied.push(step.version)
    }
    await client.query('COMMIT')
    return applied
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  }
}

/** The versions recorded, ascending; none when the schema was never migrated. */
export async function appliedPgVersions(client: ClientBase): Promise<number[]> {
  const table = await client.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
  if (!table.rows[0]?.present) return []
  const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
  return rows.map((row) => row.version)
}
