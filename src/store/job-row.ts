/**
 * A `jobs` row and the JobRecord it holds, one mapping for both engines (same columns on SQLite and
 * PostgreSQL; the PostgreSQL store turns its BIGINT strings into numbers first, see pg/pg-db.ts).
 */
import type { CardRef, JobRecord, JobState, JobStep } from '../core/store-ports.js'

export interface JobRow {
  id: string
  state: JobState
  path: string
  summary: string
  requester_key: string
  requester_name: string
  approval_id: string | null
  owner: string | null
  card: string | null
  steps: string
  result: string | null
  error: string | null
  created_at: number
  updated_at: number
}

export function jobFromRow(row: JobRow): JobRecord {
  return {
    id: row.id,
    state: row.state,
    path: row.path,
    summary: row.summary,
    requesterKey: row.requester_key,
    requesterName: row.requester_name,
    approvalId: row.approval_id ?? undefined,
    owner: row.owner ?? undefined,
    card: row.card ? (JSON.parse(row.card) as CardRef) : undefined,
    steps: JSON.parse(row.steps) as JobStep[],
    result: row.result ?? undefined,
    error: row.error ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

/**
 * A new job's values in the column order both engines' INSERTs list (id, state, path, summary,
 * requester_key, requester_name, approval_id, owner, card, steps, result, error, created_at); each
 * INSERT writes created_at again as updated_at.
 */
export const newJobValues = (record: Omit<JobRecord, 'updatedAt'>) => [
  record.id,
  record.state,
  record.path,
  record.summary,
  record.requesterKey,
  record.requesterName,
  record.approvalId ?? null,
  record.owner ?? null,
  record.card ? JSON.stringify(record.card) : null,
  JSON.stringify(record.steps),
  record.result ?? null,
  record.error ?? null,
  record.createdAt,
]
