/**
 * The rows of `alert_posts` and `alert_digests` and the records they hold, one mapping for both
 * engines (same columns on SQLite and PostgreSQL), and the JSON clean-up both apply before writing.
 * A digest's fields beyond the queried columns live in its `data` JSON.
 */
import type { AlertPost, DigestRecord } from '../alerts/alert-types.js'

export interface AlertPostRow {
  alert_id: string
  platform: string
  channel: string
  message_id: string | null
  digest_id: string | null
}

export interface AlertDigestRow {
  id: string
  platform: string
  channel: string
  reason: DigestRecord['reason']
  /** SQLite stores 0 or 1, PostgreSQL a BOOLEAN. */
  closed: number | boolean
  data: string
}

export const postFromRow = (row: AlertPostRow): AlertPost => ({
  alertId: row.alert_id,
  platform: row.platform,
  channel: row.channel,
  messageId: row.message_id ?? undefined,
  digestId: row.digest_id ?? undefined,
})

export function digestFromRow(row: AlertDigestRow | undefined): DigestRecord | undefined {
  if (!row) return undefined
  const data = JSON.parse(row.data) as Omit<DigestRecord, 'id' | 'platform' | 'channel' | 'reason' | 'closed'>
  return { ...data, id: row.id, platform: row.platform, channel: row.channel, reason: row.reason, closed: !!row.closed }
}

/** JSON without the keys whose value is undefined (a patch that sets a field to undefined clears it). */
export const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
