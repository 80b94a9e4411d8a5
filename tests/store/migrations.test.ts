/** Schema migrations and opening the database: versioned steps, applied once, refused when newer. */
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { MIGRATIONS, migrate, SchemaVersionError, schemaVersion } from '../../src/store/migrations.js'
import { openStore } from '../../src/store/open-store.js'
import { approvalInput, dbFile, jobInput, openTestStore, rawConnection, tempDir } from './store-helpers.js'

/** The latest real step; test steps come after it. */
const LATEST = MIGRATIONS.at(-1)?.version ?? 0
const NEXT = LATEST + 1
const STEP_NEXT = { version: NEXT, name: 'notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT) STRICT' }

describe('migrations', () => {
  it('a new database gets every step, recorded in schema_migrations with its name', () => {
    const dataDir = join(tempDir(), 'data')
    openTestStore({ dataDir })
    const rows = rawConnection(dbFile(dataDir)).prepare('SELECT version, name FROM schema_migrations').all()
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })))
    expect(rows[0]).toEqual({ version: 1, name: 'approvals, jobs, interactions, audit chain' })
    expect(rows).toContainEqual({ version: 4, name: 'ssh host keys pinned per VM' })
  })

  it('applying twice is a no-op: opening again applies nothing and keeps the data', async () => {
    const dataDir = join(tempDir(), 'data')
    const first = openStore({ dataDir })
    await first.approvals.create(approvalInput())
    await first.close()
    const second = openTestStore({ dataDir })
    expect((await second.approvals.get('a7k2m9'))?.state).toBe('pending')
    const raw = rawConnection(dbFile(dataDir))
    expect(raw.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length)
    expect(migrate(raw)).toEqual([])
    expect(migrate(raw)).toEqual([])
  })

  it('a later step is applied alone to a database at the earlier version, then never again', () => {
    const dataDir = join(tempDir(), 'data')
    openTestStore({ dataDir })
    const raw = rawConnection(dbFile(dataDir))
    expect(schemaVersion(raw)).toBe(LATEST)
    expect(migrate(raw, [...MIGRATIONS, STEP_NEXT], () => 42)).toEqual([NEXT])
    expect(migrate(raw, [...MIGRATIONS, STEP_NEXT])).toEqual([])
    expect(raw.prepare('SELECT version, applied_at FROM schema_migrations WHERE version = ?').get(NEXT)).toEqual({
      version: NEXT,
      applied_at: 42,
    })
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'notes'").pluck().get()).toBe('notes')
  })

  it('a step merged later with a lower version still runs on a database that has a higher one', () => {
    const db = new Database(':memory:')
    // A branch released version 3 while version 2 was still in flight elsewhere…
    const withoutTwo = MIGRATIONS.filter((m) => m.version !== 2)
    expect(migrate(db, withoutTwo)).toEqual(withoutTwo.map((m) => m.version))
    // …then version 2 is merged: the next opening applies it alone.
    expect(migrate(db, MIGRATIONS)).toEqual([2])
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual(
      MIGRATIONS.map((m) => m.version),
    )
    db.close()
  })

  it('a database from a newer version is refused with a message that says what to do', async () => {
    const dataDir = join(tempDir(), 'data')
    await openStore({ dataDir }).close()
    const raw = rawConnection(dbFile(dataDir))
    raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (7, ?, 0)').run('from the future')
    expect(() => openStore({ dataDir })).toThrow(SchemaVersionError)
    expect(() => openStore({ dataDir })).toThrow(
      new RegExp(
        `is at schema version 7, but this xen-chatops knows versions up to ${LATEST}: run a newer xen-chatops`,
      ),
    )
  })

  it('a failing step rolls back entirely and records nothing', () => {
    const db = new Database(':memory:')
    const broken = { version: NEXT, name: 'half', sql: 'CREATE TABLE half (a); INSERT INTO missing VALUES (1)' }
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow(/no such table: missing/)
    expect(schemaVersion(db)).toBe(0)
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name IN ('half', 'approvals')").pluck().get()).toBe(0)
    db.close()
  })

  it('a list out of order is a programming error', () => {
    const db = new Database(':memory:')
    expect(() => migrate(db, [...MIGRATIONS, { ...STEP_NEXT, version: LATEST }])).toThrow(
      `migration notes must have a version above ${LATEST}`,
    )
    expect(() => migrate(db, [{ ...STEP_NEXT, version: 0 }])).toThrow('migration notes must have a version above 0')
    db.close()
  })
})

describe('openStore', () => {
  it('creates the data directory (0700) and the database file (0600) and reports its path', () => {
    const dataDir = join(tempDir(), 'nested', 'data')
    const store = openTestStore({ dataDir })
    expect(store.path).toBe(dbFile(dataDir))
    expect(statSync(dataDir).mode & 0o777).toBe(0o700)
    expect(statSync(store.path).mode & 0o777).toBe(0o600)
  })

  it('uses WAL and enforces foreign keys', async () => {
    const dataDir = join(tempDir(), 'data')
    const store = openTestStore({ dataDir })
    expect(rawConnection(dbFile(dataDir)).pragma('journal_mode', { simple: true })).toBe('wal')
    await expect(store.jobs.create(jobInput({ approvalId: 'nope' }))).rejects.toThrow(/FOREIGN KEY constraint failed/)
    await store.approvals.create(approvalInput({ id: 'a1' }))
    expect((await store.jobs.create(jobInput({ approvalId: 'a1' }))).approvalId).toBe('a1')
  })

  it('an in-memory store touches no disk', async () => {
    const never = join(tempDir(), 'never')
    const store = openStore({ memory: true, dataDir: never })
    expect(store.path).toBe(':memory:')
    await store.approvals.create(approvalInput())
    expect(await store.approvals.pending(0)).toHaveLength(1)
    expect((await store.audit.append({ kind: 'request', data: {} })).seq).toBe(1)
    await store.close()
    expect(existsSync(never)).toBe(false)
  })

  it('read-only opening needs an existing, current database and cannot write', async () => {
    const dataDir = join(tempDir(), 'data')
    expect(() => openStore({ dataDir, readOnly: true })).toThrow(`no database at ${dbFile(dataDir)}`)
    expect(existsSync(dataDir)).toBe(false)
    await openStore({ dataDir }).close()
    const reader = openTestStore({ dataDir, readOnly: true })
    expect(await reader.audit.verify()).toEqual({ ok: true, entries: 0 })
    await expect(reader.audit.append({ kind: 'request', data: {} })).rejects.toThrow(/readonly/)
  })
})
