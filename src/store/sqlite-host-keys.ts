/**
 * SSH host keys pinned per VM (the HostKeyStore port). Pinning on first use is one INSERT OR IGNORE, so
 * two connections racing to a new VM pin one key and the loser verifies against it.
 */
import type { Database } from 'better-sqlite3'
import type { HostKeyStore, PinnedHostKey } from '../core/host-keys.js'

interface Row {
  vm_uuid: string
  pool: string
  vm_name: string
  algorithm: string
  key: string
  fingerprint: string
  pinned_at: number
  pinned_by: string
}

const fromRow = (row: Row): PinnedHostKey => ({
  vmUuid: row.vm_uuid,
  pool: row.pool,
  vmName: row.vm_name,
  algorithm: row.algorithm,
  key: row.key,
  fingerprint: row.fingerprint,
  pinnedAt: row.pinned_at,
  pinnedBy: row.pinned_by,
})

const params = (r: PinnedHostKey) => [
  r.vmUuid,
  r.pool,
  r.vmName,
  r.algorithm,
  r.key,
  r.fingerprint,
  r.pinnedAt,
  r.pinnedBy,
]

const COLUMNS =
  '(vm_uuid, pool, vm_name, algorithm, key, fingerprint, pinned_at, pinned_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'

export class SqliteHostKeyStore implements HostKeyStore {
  readonly #db: Database

  constructor(db: Database) {
    this.#db = db
  }

  async get(vmUuid: string): Promise<PinnedHostKey | undefined> {
    const row = this.#db.prepare('SELECT * FROM ssh_host_keys WHERE vm_uuid = ?').get(vmUuid) as Row | undefined
    return row && fromRow(row)
  }

  async pinFirst(record: PinnedHostKey): Promise<boolean> {
    return this.#db.prepare(`INSERT OR IGNORE INTO ssh_host_keys ${COLUMNS}`).run(...params(record)).changes === 1
  }

  async replace(record: PinnedHostKey): Promise<void> {
    this.#db.prepare(`INSERT OR REPLACE INTO ssh_host_keys ${COLUMNS}`).run(...params(record))
  }
}
