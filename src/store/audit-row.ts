/**
 * An `audit_log` row and the stored entry it holds, one mapping for both engines: the hash covers
 * exactly these fields (audit-chain.ts), so an entry must read back the same from SQLite and from
 * PostgreSQL for the chain to verify on either. The PostgreSQL store turns its BIGINT strings into
 * numbers first (see pg/pg-db.ts); `data` stays the JSON text that was hashed.
 */
import type { AuditEntry, AuditEvent } from '../core/store-ports.js'
import type { StoredAuditEntry } from './audit-chain.js'

export interface AuditRow {
  seq: number
  at: number
  kind: AuditEvent['kind']
  request_id: string | null
  platform: string | null
  user_id: string | null
  user_name: string | null
  channel: string | null
  data: string
  prev_hash: string
  hash: string
}

export const auditFromRow = (row: AuditRow): StoredAuditEntry => ({
  seq: row.seq,
  at: row.at,
  kind: row.kind,
  requestId: row.request_id ?? undefined,
  platform: row.platform ?? undefined,
  userId: row.user_id ?? undefined,
  userName: row.user_name ?? undefined,
  channel: row.channel ?? undefined,
  data: row.data,
  prevHash: row.prev_hash,
  hash: row.hash,
})

/**
 * An entry's values in the column order both engines' INSERTs list (seq, at, kind, request_id,
 * platform, user_id, user_name, channel, data, prev_hash, hash); `text` is the canonical JSON of its
 * data, the exact text that was hashed.
 */
export const auditValues = (entry: AuditEntry, text: string) => [
  entry.seq,
  entry.at,
  entry.kind,
  entry.requestId ?? null,
  entry.platform ?? null,
  entry.userId ?? null,
  entry.userName ?? null,
  entry.channel ?? null,
  text,
  entry.prevHash,
  entry.hash,
]
