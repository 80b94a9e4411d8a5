/**
 * The SQLite audit log on a real file: appends chain, verify passes, and tampering through a third
 * connection (as someone holding the file) is named by seq and kind; a failed write throws.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it, vi } from 'vitest'
import { GENESIS_HASH, hashEntry } from '../../src/store/audit-chain.js'
import { migrate } from '../../src/store/migrations.js'
import { openStore, type Store } from '../../src/store/open-store.js'
import { SqliteAuditLog } from '../../src/store/sqlite-audit.js'
import { allEntries } from '../helpers/audit-entries.js'
import { auditEvent, dbFile, openTestStore, rawConnection, T0, tamper, tempDir } from './store-helpers.js'

/** A store on a new file with n entries appended (clock T0, T0+1, …). */
async function logWith(n: number): Promise<{ store: Store; file: string }> {
  const dataDir = join(tempDir(), 'data')
  let tick = T0
  const store = openTestStore({ dataDir, now: () => tick++ })
  for (let i = 1; i <= n; i++) await store.audit.append(auditEvent(i))
  return { store, file: dbFile(dataDir) }
}

describe('audit log: appending', () => {
  it('entries get increasing seqs, the clock’s time, and chain from 64 zeros', async () => {
    const { store } = await logWith(0)
    const first = await store.audit.append(auditEvent(1))
    const second = await store.audit.append({ kind: 'approval.vote', data: { approval: 'a7k2m9', vote: 'approve' } })
    expect(first).toMatchObject({ seq: 1, at: T0, kind: 'request', requestId: 'req-1', prevHash: GENESIS_HASH })
    expect(first.hash).toBe(hashEntry({ ...first }))
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(second).toMatchObject({ seq: 2, at: T0 + 1, prevHash: first.hash, userId: undefined })
    expect(await allEntries(store.audit)).toEqual([first, second])
    expect(await store.audit.verify()).toEqual({ ok: true, entries: 2 })
  })

  it('N appends verify ok, and stay ok after reopening the file', async () => {
    const { store, file } = await logWith(25)
    expect(await store.audit.verify()).toEqual({ ok: true, entries: 25 })
    const reopened = openTestStore({ dataDir: join(file, '..') })
    expect(await reopened.audit.verify()).toEqual({ ok: true, entries: 25 })
    expect((await allEntries(reopened.audit)).map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
  })

  it('more entries than one page are all listed, in order', async () => {
    const { store } = await logWith(1203)
    const seqs = (await allEntries(store.audit)).map((e) => e.seq)
    expect(seqs.length).toBe(1203)
    expect(seqs.every((seq, i) => seq === i + 1)).toBe(true)
    expect(await store.audit.verify()).toEqual({ ok: true, entries: 1203 })
  })

  it('two Store objects appending in turn on one file keep a single chain', async () => {
    const { store, file } = await logWith(0)
    const other = openTestStore({ dataDir: join(file, '..') })
    for (let i = 1; i <= 20; i++) await (i % 2 ? store : other).audit.append(auditEvent(i))
    expect(await other.audit.verify()).toEqual({ ok: true, entries: 20 })
    expect((await allEntries(store.audit)).map((e) => e.data.n)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
  })

  it('secrets in data are redacted before hashing and storing', async () => {
    const { store, file } = await logWith(0)
    const entry = await store.audit.append({
      kind: 'xapi.task',
      data: { pool: 'lab', login: { user: 'root', password: 'hunter2' }, args: [{ token: 'xoxb-1234567890-abc' }] },
    })
    expect(entry.data).toEqual({
      pool: 'lab',
      login: { user: 'root', password: '[redacted]' },
      args: [{ token: '[redacted]' }],
    })
    const stored = rawConnection(file).prepare('SELECT data FROM audit_log WHERE seq = 1').pluck().get()
    expect(stored).toBe(
      '{"args":[{"token":"[redacted]"}],"login":{"password":"[redacted]","user":"root"},"pool":"lab"}',
    )
    expect(await store.audit.verify()).toEqual({ ok: true, entries: 1 })
  })

  it('a secret exposed through toJSON is redacted too', async () => {
    const { store } = await logWith(0)
    const credentials = { toJSON: () => ({ user: 'root', password: 'hunter2' }) }
    expect((await store.audit.append({ kind: 'xapi.task', data: { credentials } })).data).toEqual({
      credentials: { user: 'root', password: '[redacted]' },
    })
    expect(JSON.stringify(await allEntries(store.audit))).not.toContain('hunter2')
  })

  it('the application cannot update or delete entries (triggers)', async () => {
    const { file } = await logWith(2)
    const raw = rawConnection(file)
    expect(() => raw.exec("UPDATE audit_log SET data = '{}' WHERE seq = 1")).toThrow('the audit log is append-only')
    expect(() => raw.exec('DELETE FROM audit_log WHERE seq = 2')).toThrow('the audit log is append-only')
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

  it('throws for data that cannot be written canonically, and on a closed store', async () => {
    const { store } = await logWith(1)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    await expect(store.audit.append({ kind: 'request', data: cyclic })).rejects.toThrow(/cycle/)
    await expect(store.audit.append({ kind: 'request', data: { n: 10n } })).rejects.toThrow(/bigint/)
    await expect(
      store.audit.append({ kind: 'request', data: [1] as unknown as Record<string, unknown> }),
    ).rejects.toThrow('audit data must be a JSON object')
    expect(await store.audit.verify()).toEqual({ ok: true, entries: 1 })
    const closed = openStore({ memory: true })
    await closed.close()
    await expect(closed.audit.append(auditEvent(1))).rejects.toThrow(/not open/)
  })
})

describe('audit log: tampering with the file', () => {
  it('changed data is altered at that seq', async () => {
    const { store, file } = await logWith(5)
    tamper(file, `UPDATE audit_log SET data = json_set(data, '$.command', '/docker ps web-1') WHERE seq = 3`)
    expect(await store.audit.verify()).toEqual({
      ok: false,
      seq: 3,
      problem: 'altered',
      message: 'entry 3 does not match its hash (its content was changed)',
    })
  })

  it('a changed user, re-hashed with the published algorithm, is still named', async () => {
    const { store, file } = await logWith(5)
    const third = (await allEntries(store.audit))[2]
    if (!third) throw new Error('no entry 3')
    const forged = hashEntry({ ...third, userName: 'mallory' })
    tamper(file, `UPDATE audit_log SET user_name = 'mallory', hash = '${forged}' WHERE seq = 3`)
    expect(await store.audit.verify()).toMatchObject({
      ok: false,
      seq: 3,
      problem: 'altered',
      message: /entry 3 was rewritten/,
    })
  })

  it('a deleted middle entry is deleted, at the entry after the gap, naming the missing seq', async () => {
    const { store, file } = await logWith(5)
    tamper(file, 'DELETE FROM audit_log WHERE seq = 3')
    expect(await store.audit.verify()).toEqual({
      ok: false,
      seq: 4,
      problem: 'deleted',
      message: 'entry 3 is missing (entry 4 links to a hash no stored entry has)',
    })
  })

  it('two entries swapping seqs is reordered at the first one, naming where it belongs', async () => {
    const { store, file } = await logWith(5)
    tamper(
      file,
      'UPDATE audit_log SET seq = -1 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = -1',
    )
    expect(await store.audit.verify()).toEqual({
      ok: false,
      seq: 2,
      problem: 'reordered',
      message: 'entry 2 holds the entry written as 4',
    })
  })

  it('a deleted last entry is deleted (seen through the head), and still after a new append', async () => {
    const { store, file } = await logWith(5)
    tamper(file, 'DELETE FROM audit_log WHERE seq = 5')
    expect(await store.audit.verify()).toEqual({
      ok: false,
      seq: 5,
      problem: 'deleted',
      message: 'entry 5 is missing from the end (the head records 5)',
    })
    expect((await store.audit.append(auditEvent(6))).seq).toBe(6)
    expect(await store.audit.verify()).toMatchObject({ seq: 6, problem: 'deleted', message: /^entry 5 is missing/ })
  })

  it('a row inserted past the head is altered', async () => {
    const { store, file } = await logWith(2)
    const last = (await allEntries(store.audit))[1]
    if (!last) throw new Error('no entry 2')
    const forged = { seq: 3, at: T0 + 9, kind: 'request' as const, data: {}, prevHash: last.hash }
    tamper(
      file,
      `INSERT INTO audit_log (seq, at, kind, data, prev_hash, hash)
       VALUES (3, ${T0 + 9}, 'request', '{}', '${last.hash}', '${hashEntry(forged)}')`,
    )
    expect(await store.audit.verify()).toMatchObject({
      ok: false,
      seq: 3,
      problem: 'altered',
      message: /past the head/,
    })
  })
})
