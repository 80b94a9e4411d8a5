/**
 * An `ssh_host_keys` row and the PinnedHostKey it holds, both ways, for both engines (same columns on
 * SQLite and PostgreSQL; the PostgreSQL store turns its BIGINT string into a number first, see
 * pg/pg-db.ts).
 */
import type { PinnedHostKey } from '../core/host-keys.js'

export interface HostKeyRow {
  vm_uuid: string
  pool: string
  vm_name: string
  algorithm: string
  key: string
  fingerprint: string
  pinned_at: number
  pinned_by: string
}

export const hostKeyFromRow = (row: HostKeyRow): PinnedHostKey => ({
  vmUuid: row.vm_uuid,
  pool: row.pool,
  vmName: row.vm_name,
  algorithm: row.algorithm,
  key: row.key,
  fingerprint: row.fingerprint,
  pinnedAt: row.pinned_at,
  pinnedBy: row.pinned_by,
})

/** The values both engines' INSERTs take, in their column order (vm_uuid, pool, … pinned_by). */
export const hostKeyValues = (r: PinnedHostKey) => [
  r.vmUuid,
  r.pool,
  r.vmName,
  r.algorithm,
  r.key,
  r.fingerprint,
  r.pinnedAt,
  r.pinnedBy,
]
