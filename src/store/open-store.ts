/**
 * Opens the bot's SQLite database (better-sqlite3 12.x; 13 crashes on Node 20) and hands out the store
 * ports. Everything is synchronous: a decision is one statement or one BEGIN IMMEDIATE transaction, so
 * callers in this process run one at a time and other processes on the same file wait for the lock
 * (busy_timeout) instead of failing.
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import type { AlertStore } from '../alerts/alert-types.js'
import type { HostKeyStore } from '../core/host-keys.js'
import type { ApprovalStore, AuditLog, InteractionStore, JobStore } from '../core/store-ports.js'
import { ConnectionLock } from './connection-lock.js'
import { assertKnownVersion, isCurrent, MIGRATIONS, migrate, SchemaVersionError } from './migrations.js'
import { SqliteAlertStore } from './sqlite-alerts.js'
import { SqliteApprovalStore } from './sqlite-approvals.js'
import { SqliteAuditLog } from './sqlite-audit.js'
import { SqliteHostKeyStore } from './sqlite-host-keys.js'
import { SqliteInteractionStore } from './sqlite-interactions.js'
import { SqliteJobStore } from './sqlite-jobs.js'

export const DATABASE_FILE = 'xen-chatops.db'

/** How long a statement waits for another connection's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000

export interface Store {
  readonly approvals: ApprovalStore
  readonly jobs: JobStore
  readonly interactions: InteractionStore
  readonly audit: AuditLog
  /** SSH host keys pinned per VM (the SSH Docker backend). */
  readonly hostKeys: HostKeyStore
  /** Alert state (issue #11). */
  readonly alerts: AlertStore
  /** Closes the database (a pool of connections for PostgreSQL); idempotent. */
  close(): Promise<void>
  /** The database file, or `:memory:`, or the PostgreSQL address without its password. */
  readonly path: string
}

export interface OpenStoreOptions {
  /** Directory of the database file, created (mode 0700) if missing. Default `./data`. */
  readonly dataDir?: string | undefined
  /** An in-memory database (tests); `dataDir` is ignored and nothing touches the disk. */
  readonly memory?: boolean | undefined
  /** The clock for audit entries' `at`. Default Date.now. */
  readonly now?: (() => number) | undefined
  /**
   * Opens an existing database read-only, without creating or migrating anything (the `audit`
   * command): a missing file or a schema older or newer than this build's is an error.
   */
  readonly readOnly?: boolean | undefined
}

export function openStore(options: OpenStoreOptions = {}): Store {
  const path = options.memory ? ':memory:' : join(resolve(options.dataDir ?? 'data'), DATABASE_FILE)
  const db = options.readOnly ? openReadOnly(path) : openWritable(path, options.memory === true)
  // One lock for every store on the connection: while an alert transaction awaits, another store's
  // statement would otherwise run inside it (and commit or roll back with it).
  const lock = new ConnectionLock()
  return {
    approvals: new SqliteApprovalStore(db, lock),
    jobs: new SqliteJobStore(db, lock),
    interactions: new SqliteInteractionStore(db, undefined, lock),
    audit: new SqliteAuditLog(db, options.now, lock),
    hostKeys: new SqliteHostKeyStore(db, lock),
    alerts: new SqliteAlertStore(db, lock),
    // After the calls already queued on the connection, so none of them finds it closed.
    close: () =>
      lock.run(() => {
        db.close()
      }),
    path,
  }
}

function openWritable(path: string, memory: boolean): Database.Database {
  if (!memory) {
    const dir = resolve(path, '..')
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    // Create the file owner-only before SQLite does (it would use the umask, usually 0644); SQLite gives
    // the -wal and -shm files the database file's permissions.
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600))
  }
  const db = new Database(path)
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    if (!memory) db.pragma('journal_mode = WAL')
    // NORMAL: in WAL mode a commit is safe from a crash of this process and may be lost only on power
    // loss. Audit appends raise it to FULL for their own commit (see SqliteAuditLog.append); the level
    // is per connection, not per table, so that is how the audit table gets FULL.
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    migrate(db)
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

function openReadOnly(path: string): Database.Database {
  if (path !== ':memory:' && !existsSync(path)) throw new Error(`no database at ${path}`)
  const db = new Database(path, { readonly: true, fileMustExist: true })
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    const version = assertKnownVersion(db)
    const latest = MIGRATIONS.at(-1)?.version ?? 0
    if (!isCurrent(db))
      throw new SchemaVersionError(
        `the database ${path} is at schema version ${version}, this xen-chatops expects ${latest}: ` +
          'start the bot once to upgrade it',
      )
    return db
  } catch (error) {
    db.close()
    throw error
  }
}
