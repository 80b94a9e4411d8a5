/**
 * The SQLite audit log on a real file, beyond the store contract (tests/store/contract, which checks
 * chaining, paging, redaction, the append-only guards and tampering on both engines): the FULL sync of
 * a durable append, a write the file refuses, a closed store, and a secret reached through toJSON.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it, vi } from 'vitest'
import { migrate } from '../../src/store/migrations.js'
import { openStore, type Store } from '../../src/store/open-store.js'
import { SqliteAuditLog } from '../../src/store/sqlite-audit.js'
import { allEntries } from '../helpers/audit-entries.js'
import { auditEvent, dbFile, openTestStore, rawConnection, T0, tempDir } from './store-helpers.js'

/** A store on a new file with n entries appended (clock T0, T0+1, …). */
async function logWith(n: number): Promise<{ store: Store; file: string }> {
  const dataDir = join(tempDir(), 'data')
  let tick = T0
  const store = openTestStore({ dataDir, now: () => tick++ })
  for (let i = 1; i <= n; i++) await store.audit.append(auditEvent(i))
  return { store, file: dbFile(dataDir) }
}

describe('audit log: appending', () => {
  it('a secret exposed through toJSON is redacted too', async () => {
    const { store } = await logWith(0)
    const credentials = { toJSON: () => ({ user: 'root', password: 'hunter2' }) }
    expect((await store.audit.append({ kind: 'xapi.task', data: { credentials } })).data).toEqual({
      credentials: { user: 'root', password: '[redacted]' },
    })
    expect(JSON.stringify(await allEntries(store.audit))).not.toContain('hunter2')
  })

  it('each append commits with synchronous = FULL and puts the connection back to NORMAL', async () => {
    const db = new Database(join(tempDir(), 'sync.db'))
    migrate(db)
    db.pragma('synchronous = NORMAL')
    const pragma = vi.spyOn(db, 'pragma')
    await new SqliteAuditLog(db).append(auditEvent(1))
    expect(pragma.mock.calls.map((call) => call[0])).toEqual(['synchronous', 'synchronous = FULL', 'synchronous = 1'])
    expect(db.pragma('synchronous', { simple: true })).toBe(1)
    db.close()
  })

  it('a non-durable append (a read request) skips the FULL sync but is chained like any other entry', async () => {
    const db = new Database(join(tempDir(), 'nosync.db'))
    migrate(db)
    db.pragma('synchronous = NORMAL')
    const log = new SqliteAuditLog(db)
    const pragma = vi.spyOn(db, 'pragma')
    await log.append(auditEvent(1), { durable: false })
    expect(pragma.mock.calls).toEqual([])
    await log.append(auditEvent(2))
    expect(await log.verify()).toEqual({ ok: true, entries: 2 })
    db.close()
  })
})

describe('audit log: a failed write', () => {
  it('throws when the table refuses inserts, leaves the chain as it was, and the next append fills the seq', async () => {
    const { store, file } = await logWith(3)
    rawConnection(file).exec(
      "CREATE TRIGGER audit_readonly BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit is read-only'); END",
    )
    await expect(store.audit.append(auditEvent(4))).rejects.toThrow('audit is read-only')
    expect(await store.audit.verify()).toEqual({ ok: true, entries: 3 })
    rawConnection(file).exec('DROP TRIGGER audit_readonly')
    expect((await store.audit.append(auditEvent(4))).seq).toBe(4)
    expect(await store.audit.verify()).toEqual({ ok: true, entries: 4 })
  })

  it('throws on a closed store', async () => {
    const closed = openStore({ memory: true })
    await closed.close()
    await expect(closed.audit.append(auditEvent(1))).rejects.toThrow(/not open/)
  })
})
