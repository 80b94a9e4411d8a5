/**
 * SSH host keys pinned per VM, in PostgreSQL. Pinning on first use is one INSERT … ON CONFLICT DO
 * NOTHING, so two replicas racing to a new VM pin one key and the loser verifies against it.
 */
import type { HostKeyStore, PinnedHostKey } from '../../core/host-keys.js'
import { type PgDb, toNumber } from './pg-db.js'

interface Row {
  vm_uuid: string
  pool: string
  vm_name: string
  algorithm: string
  key: string
  fingerprint: string
  pinned_at: string
  pinned_by: string
}

const fromRow = (row: Row): PinnedHostKey => ({
  vmUuid: row.vm_uuid,
  pool: row.pool,
  vmName: row.vm_name,
  algorithm: row.algorithm,
  key: row.key,
  fingerprint: row.fingerprint,
  pinnedAt: toNumber(row.pinned_at),
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
    const result = await this.#db.query(`${INSERT} ON CONFLICT (vm_uuid) DO NOTHING`, params(record))
    return result.rowCount === 1
  }

  async replace(record: PinnedHostKey): Promise<void> {
    await this.#db.query(
      `${INSERT} ON CONFLICT (vm_uuid) DO UPDATE SET pool = excluded.pool, vm_name = excluded.vm_name,
         algorithm = excluded.algorithm, key = excluded.key, fingerprint = excluded.fingerprint,
         pinned_at = excluded.pinned_at, pinned_by = excluded.pinned_by`,
      params(record),
    )
  }
}
