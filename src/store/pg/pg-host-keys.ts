/**
 * SSH host keys pinned per VM, in PostgreSQL. Pinning on first use is one INSERT … ON CONFLICT DO
 * NOTHING, so two replicas racing to a new VM pin one key and the loser verifies against it.
 */
import type { HostKeyStore, PinnedHostKey } from '../../core/host-keys.js'
import { type HostKeyRow, hostKeyFromRow, hostKeyValues } from '../host-key-row.js'
import { type PgDb, type PgRow, withNumbers } from './pg-db.js'

/** An ssh_host_keys row as node-postgres returns it, its BIGINT time as a string. */
type Row = PgRow<HostKeyRow, 'pinned_at'>

const fromRow = (row: Row): PinnedHostKey => hostKeyFromRow(withNumbers(row, 'pinned_at'))

const INSERT =
  'INSERT INTO ssh_host_keys (vm_uuid, pool, vm_name, algorithm, key, fingerprint, pinned_at, pinned_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)'

export class PgHostKeyStore implements HostKeyStore {
  readonly #db: PgDb

  constructor(db: PgDb) {
    this.#db = db
  }

  async get(vmUuid: string): Promise<PinnedHostKey | undefined> {
    const { rows } = await this.#db.query<Row>('SELECT * FROM ssh_host_keys WHERE vm_uuid = $1', [vmUuid])
    return rows[0] && fromRow(rows[0])
  }

  async pinFirst(record: PinnedHostKey): Promise<boolean> {
    const result = await this.#db.query(`${INSERT} ON CONFLICT (vm_uuid) DO NOTHING`, hostKeyValues(record))
    return result.rowCount === 1
  }

  async replace(record: PinnedHostKey): Promise<void> {
    await this.#db.query(
      `${INSERT} ON CONFLICT (vm_uuid) DO UPDATE SET pool = excluded.pool, vm_name = excluded.vm_name,
         algorithm = excluded.algorithm, key = excluded.key, fingerprint = excluded.fingerprint,
         pinned_at = excluded.pinned_at, pinned_by = excluded.pinned_by`,
      hostKeyValues(record),
    )
  }
}
