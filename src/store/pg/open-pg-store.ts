/**
 * Opens the bot's state in PostgreSQL (issue #15: several replicas sharing one database) and hands out
 * the same store ports as the SQLite store (src/store/open-store.ts). A pool of connections serves
 * them; each decision is one conditional statement or one transaction, so replicas deciding at once
 * get one winner. Migrations run on open, once even when replicas start together.
 */
import { Pool, type PoolClient, type PoolConfig } from 'pg'
import { SchemaVersionError } from '../migrations.js'
import type { Store } from '../open-store.js'
import { PgAlertStore } from './pg-alerts.js'
import { PgApprovalStore } from './pg-approvals.js'
import { PgAuditLog } from './pg-audit.js'
import { poolDb } from './pg-db.js'
import { PgHostKeyStore } from './pg-host-keys.js'
import { PgInteractionStore } from './pg-interactions.js'
import { PgJobStore } from './pg-jobs.js'
import { appliedPgVersions, migratePg, PG_MIGRATIONS, SCHEMA_NAME } from './pg-migrations.js'

export interface OpenPgStoreOptions {
  /** `postgres://user:password@host:5432/database` (libpq's URL form; `?sslmode=…` and the like allowed). */
  readonly url: string
  /**
   * The schema holding the tables, created when missing: several bots (or tests) can share a database.
   * Lower-case letters, digits and `_`. Default: the connection's own (`public`, usually).
   */
  readonly schema?: string | undefined
  /** The clock for audit entries' `at`. Default Date.now. */
  readonly now?: (() => number) | undefined
  /** Connections in the pool. Default 10. */
  readonly poolSize?: number | undefined
  /**
   * Checks the schema is current and migrates nothing (the `audit` command); an older or newer schema
   * is an error.
   */
  readonly readOnly?: boolean | undefined
  /**
   * An idle pooled connection failed (the server restarted, the network dropped it); the pool has
   * already dropped it and opens another when needed. Default: ignored.
   */
  readonly onError?: ((error: Error) => void) | undefined
}

/** The connection settings every PostgreSQL connection of the bot uses (the store's pool, the lease). */
export function pgConnectionConfig(url: string, schema: string | undefined, role: string): PoolConfig {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new Error('the PostgreSQL URL is not a URL (expected postgres://user:password@host:5432/database)')
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new Error('the PostgreSQL URL must start with postgres:// or postgresql://')
  if (schema !== undefined && !SCHEMA_NAME.test(schema))
    throw new Error(`the PostgreSQL schema "${schema}" must be lower-case letters, digits and _ (at most 63)`)
  return {
    connectionString: url,
    // Every connection starts in the schema, so the SQL names no schema and one list of migrations
    // serves every schema.
    ...(schema !== undefined && { options: `-c search_path=${schema}` }),
    application_name: `xen-chatops ${role}`,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  }
}

/** The URL without its password (for logs and `Store.path`), and the schema when one is set. */
export function describePgUrl(url: string, schema?: string): string {
  const parsed = new URL(url)
  parsed.password = ''
  parsed.searchParams.delete('password')
  return `${parsed.toString()}${schema ? ` (schema ${schema})` : ''}`
}

export async function openPgStore(options: OpenPgStoreOptions): Promise<Store> {
  const pool = new Pool({ ...pgConnectionConfig(options.url, options.schema, 'store'), max: options.poolSize ?? 10 })
  // Without a listener an idle connection's error would be thrown as an uncaught exception.
  pool.on('error', options.onError ?? (() => undefined))
  try {
    const client = await pool.connect()
    try {
      if (options.readOnly) await assertCurrent(client, options.schema)
      else await migratePg(client, options.schema)
    } finally {
      client.release()
    }
  } catch (error) {
    await pool.end()
    throw error
  }
  const db = poolDb(pool)
  let closed: Promise<void> | undefined
  return {
    approvals: new PgApprovalStore(db),
    jobs: new PgJobStore(db),
    interactions: new PgInteractionStore(db),
    audit: new PgAuditLog(db, options.now),
    hostKeys: new PgHostKeyStore(db),
    alerts: new PgAlertStore(db),
    close: () => {
      closed ??= pool.end()
      return closed
    },
    path: describePgUrl(options.url, options.schema),
  }
}

async function assertCurrent(client: PoolClient, schema: string | undefined): Promise<void> {
  const applied = await appliedPgVersions(client)
  const done = new Set(applied)
  const latest = PG_MIGRATIONS.at(-1)?.version ?? 0
  const current = applied.at(-1) ?? 0
  if (current > latest || !PG_MIGRATIONS.every((step) => done.has(step.version)))
    throw new SchemaVersionError(
      `the PostgreSQL schema ${schema ?? '(default)'} is at version ${current}, this xen-chatops expects ${latest}: ` +
        (current > latest ? 'run a newer xen-chatops' : 'start the bot once to upgrade it'),
    )
}
