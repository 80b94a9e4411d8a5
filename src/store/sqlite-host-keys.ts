/**
 * SSH host keys pinned per VM (the HostKeyStore port). Pinning on first use is one INSERT OR IGNORE, so
 * two connections racing to a new VM pin one key and the loser verifies against it.
 */
import type { Database } from 'better-sqlite3'
import type { HostKeyStore, PinnedHostKey } from '../core/host-keys.js'
import { ConnectionLock } from './connection-lock.js'

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
  /** Shared with the other stores on this connection (see connection-lock.ts). */
  readonly #lock: ConnectionLock
  readonly #db: Database

  constructor(db: Database, lock = new ConnectionLock()) {
    this.#lock = lock
    this.#db = db
  }

  get(vmUuid: string): Promise<PinnedHostKey | undefined> {
    return this.#lock.run(() => {
      const row = this.#db.prepare('SELECT * FROM ssh_host_keys WHERE vm_uuid = ?').get(vmUuid) as Row | undefined
      return row && fromRow(row)
    })
  }

  pinFirst(record: PinnedHostKey): Promise<boolean> {
    return this.#lock.run(() => {
      return this.#db.prepare(`INSERT OR IGNORE INTO ssh_host_keys ${COLUMNS}`).run(...params(record)).changes === 1
    })
  }

  replace(record: PinnedHostKey): Promise<void> {
    return this.#lock.run(() => {
      this.#db.prepare(`INSERT OR REPLACE INTO ssh_host_keys ${COLUMNS}`).run(...params(record))
    })
  }
}
