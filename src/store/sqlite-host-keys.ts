/**
 * SSH host keys pinned per VM (the HostKeyStore port). Pinning on first use is one INSERT OR IGNORE, so
 * two connections racing to a new VM pin one key and the loser verifies against it.
 */
import type { Database } from 'better-sqlite3'
import type { HostKeyStore, PinnedHostKey } from '../core/host-keys.js'
import { ConnectionLock } from './connection-lock.js'
import { type HostKeyRow, hostKeyFromRow, hostKeyValues } from './host-key-row.js'

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
      const row = this.#db.prepare('SELECT * FROM ssh_host_keys WHERE vm_uuid = ?').get(vmUuid) as
        | HostKeyRow
        | undefined
      return row && hostKeyFromRow(row)
    })
  }

  pinFirst(record: PinnedHostKey): Promise<boolean> {
    return this.#lock.run(() => {
      return (
        this.#db.prepare(`INSERT OR IGNORE INTO ssh_host_keys ${COLUMNS}`).run(...hostKeyValues(record)).changes === 1
      )
    })
  }

  replace(record: PinnedHostKey): Promise<void> {
    return this.#lock.run(() => {
      this.#db.prepare(`INSERT OR REPLACE INTO ssh_host_keys ${COLUMNS}`).run(...hostKeyValues(record))
    })
  }
}
