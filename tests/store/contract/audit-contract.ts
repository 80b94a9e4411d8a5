/**
 * The contract of AuditLog: appends chain from 64 zeros with the published hash, verify names the first
 * place a tampered database breaks (altered, deleted, reordered), secrets are redacted before hashing,
 * a failed append leaves the chain as it was, and concurrent appends from two replicas stay one chain.
 */
import { describe, expect, it } from 'vitest'
import type { AuditEntry } from '../../../src/core/store-ports.js'
import { GENESIS_HASH, hashEntry } from '../../../src/store/audit-chain.js'
import type { Store } from '../../../src/store/open-store.js'
import { auditEvent, T0 } from '../store-helpers.js'
import type { ContractHarness, OpenHarness } from './contract-harness.js'

async function all(store: Store): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = []
  for await (const entry of store.audit.entries()) entries.push(entry)
  return entries
}

/** A store on a new database with n entries appended (clock T0, T0+1, …). */
async function logWith(setup: OpenHarness, n: number): Promise<{ store: Store; harness: ContractHarness }> {
  const harness = await setup()
  let tick = T0
  const store = await harness.open({ now: () => tick++ })
  for (let i = 1; i <= n; i++) await store.audit.append(auditEvent(i))
  return { store, harness }
}

export function auditContract(setup: OpenHarness): void {
  describe('audit log: appending', () => {
    it('entries get increasing seqs, the clock’s time, and chain from 64 zeros', async () => {
      const { store } = await logWith(setup, 0)
      const first = await store.audit.append(auditEvent(1))
      const second = await store.audit.append({ kind: 'approval.vote', data: { approval: 'a7k2m9', vote: 'approve' } })
      expect(first).toMatchObject({ seq: 1, at: T0, kind: 'request', requestId: 'req-1', prevHash: GENESIS_HASH })
      expect(first.hash).toBe(hashEntry({ ...first }))
      expect(first.hash).toMatch(/^[0-9a-f]{64}$/)
      expect(second).toMatchObject({ seq: 2, at: T0 + 1, prevHash: first.hash, userId: undefined })
      expect(await all(store)).toEqual([first, second])
      expect(await store.audit.verify()).toEqual({ ok: true, entries: 2 })
    })

    it('more entries than one page verify and are all listed in order, from another Store too', async () => {
      const { store, harness } = await logWith(setup, 1001)
      expect(await store.audit.verify()).toEqual({ ok: true, entries: 1001 })
      const seqs = (await all(await harness.open())).map((e) => e.seq)
      expect(seqs).toEqual(Array.from({ length: 1001 }, (_, i) => i + 1))
    }, 60_000)

    it('two Stores appending in turn keep a single chain', async () => {
      const { store, harness } = await logWith(setup, 0)
      const other = await harness.open()
      for (let i = 1; i <= 20; i++) await (i % 2 ? store : other).audit.append(auditEvent(i))
      expect(await other.audit.verify()).toEqual({ ok: true, entries: 20 })
      expect((await all(store)).map((e) => e.data.n)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    })

    it('secrets in data are redacted before hashing and storing', async () => {
      const { store, harness } = await logWith(setup, 0)
      const entry = await store.audit.append({
        kind: 'xapi.task',
        data: { pool: 'lab', login: { user: 'root', password: 'hunter2' }, args: [{ token: 'xoxb-1234567890-abc' }] },
      })
      expect(entry.data).toEqual({
        pool: 'lab',
        login: { user: 'root', password: '[redacted]' },
        args: [{ token: '[redacted]' }],
      })
      expect(await harness.raw('SELECT data FROM audit_log WHERE seq = 1')).toEqual([
        { data: '{"args":[{"token":"[redacted]"}],"login":{"password":"[redacted]","user":"root"},"pool":"lab"}' },
      ])
      expect(await store.audit.verify()).toEqual({ ok: true, entries: 1 })
    })

    it('a non-durable append (a read request) is chained like any other', async () => {
      const { store } = await logWith(setup, 0)
      await store.audit.append(auditEvent(1), { durable: false })
      const second = await store.audit.append(auditEvent(2))
      expect(second.seq).toBe(2)
      expect(await store.audit.verify()).toEqual({ ok: true, entries: 2 })
    })

    it('the application cannot update or delete entries', async () => {
      const { harness } = await logWith(setup, 2)
      await expect(harness.raw("UPDATE audit_log SET data = '{}' WHERE seq = 1")).rejects.toThrow(
        'the audit log is append-only',
      )
      await expect(harness.raw('DELETE FROM audit_log WHERE seq = 2')).rejects.toThrow('the audit log is append-only')
    })

    it('data that cannot be written canonically is refused and the chain stays as it was', async () => {
      const { store } = await logWith(setup, 1)
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      await expect(store.audit.append({ kind: 'request', data: cyclic })).rejects.toThrow(/cycle/)
      await expect(store.audit.append({ kind: 'request', data: { n: 10n } })).rejects.toThrow(/bigint/)
      await expect(
        store.audit.append({ kind: 'request', data: [1] as unknown as Record<string, unknown> }),
      ).rejects.toThrow('audit data must be a JSON object')
      expect(await store.audit.verify()).toEqual({ ok: true, entries: 1 })
      expect((await store.audit.append(auditEvent(2))).seq).toBe(2)
    })

    it('concurrent appends from two replicas stay one linear chain with every entry in it', async () => {
      const { store, harness } = await logWith(setup, 0)
      const other = await harness.open()
      const written = await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 ? store : other).audit.append(auditEvent(i + 1))),
      )
      expect(written.map((e) => e.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1))
      expect(await store.audit.verify()).toEqual({ ok: true, entries: 60 })
      const ns = (await all(other)).map((e) => e.data.n as number)
      expect(ns.sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1))
    })
  })

  describe('audit log: tampering with the database', () => {
    it('changed data is altered at that seq', async () => {
      const { store, harness } = await logWith(setup, 5)
      await harness.tamper(`UPDATE audit_log SET data = '{"command":"/docker ps web-1","n":3}' WHERE seq = 3`)
      expect(await store.audit.verify()).toEqual({
        ok: false,
        seq: 3,
        problem: 'altered',
        message: 'entry 3 does not match its hash (its content was changed)',
      })
    })

    it('a changed user, re-hashed with the published algorithm, is still named', async () => {
      const { store, harness } = await logWith(setup, 5)
      const third = (await all(store))[2]
      if (!third) throw new Error('no entry 3')
      const forged = hashEntry({ ...third, userName: 'mallory' })
      await harness.tamper(`UPDATE audit_log SET user_name = 'mallory', hash = '${forged}' WHERE seq = 3`)
      expect(await store.audit.verify()).toMatchObject({
        ok: false,
        seq: 3,
        problem: 'altered',
        message: /entry 3 was rewritten/,
      })
    })

    it('a deleted middle entry is deleted, at the entry after the gap, naming the missing seq', async () => {
      const { store, harness } = await logWith(setup, 5)
      await harness.tamper('DELETE FROM audit_log WHERE seq = 3')
      expect(await store.audit.verify()).toEqual({
        ok: false,
        seq: 4,
        problem: 'deleted',
        message: 'entry 3 is missing (entry 4 links to a hash no stored entry has)',
      })
    })

    it('two entries swapping seqs is reordered at the first one, naming where it belongs', async () => {
      const { store, harness } = await logWith(setup, 5)
      await harness.tamper(
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
      const { store, harness } = await logWith(setup, 5)
      await harness.tamper('DELETE FROM audit_log WHERE seq = 5')
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
      const { store, harness } = await logWith(setup, 2)
      const last = (await all(store))[1]
      if (!last) throw new Error('no entry 2')
      const forged = { seq: 3, at: T0 + 9, kind: 'request' as const, data: {}, prevHash: last.hash }
      await harness.tamper(
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
}
