/**
 * An `approvals` row and the ApprovalRecord it holds, one mapping for both engines: the tables have the
 * same columns on SQLite and PostgreSQL, so a second copy could only drift. The PostgreSQL store turns
 * its BIGINT strings into numbers first (withNumbers in pg/pg-db.ts); JSON columns are text on both.
 */
import type { ApprovalRecord, ApprovalState } from '../core/store-ports.js'

export interface ApprovalRow {
  id: string
  state: ApprovalState
  path: string
  args: string
  plan_digest: string
  plan_summary: string
  requester_key: string
  requester_name: string
  requester_groups: string
  quorum: number
  approvals: string
  decided_by: string | null
  created_at: number
  expires_at: number
  job_id: string | null
}

type Approval = ApprovalRecord['approvals'][number]

export function approvalFromRow(row: ApprovalRow): ApprovalRecord {
  return {
    id: row.id,
    state: row.state,
    path: row.path,
    args: JSON.parse(row.args) as Record<string, unknown>,
    planDigest: row.plan_digest,
    planSummary: row.plan_summary,
    requesterKey: row.requester_key,
    requesterName: row.requester_name,
    requesterGroups: JSON.parse(row.requester_groups) as string[],
    quorum: row.quorum,
    approvals: JSON.parse(row.approvals) as Approval[],
    decidedBy: row.decided_by ?? undefined,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    jobId: row.job_id ?? undefined,
  }
}

/**
 * A new approval's values in the column order both engines' INSERTs list (id, path, args, plan_digest,
 * plan_summary, requester_key, requester_name, requester_groups, quorum, created_at, expires_at); the
 * INSERTs themselves write the state ('pending') and the empty approvals.
 */
export const newApprovalValues = (record: Omit<ApprovalRecord, 'state' | 'approvals' | 'decidedBy' | 'jobId'>) => [
  record.id,
  record.path,
  JSON.stringify(record.args),
  record.planDigest,
  record.planSummary,
  record.requesterKey,
  record.requesterName,
  JSON.stringify(record.requesterGroups ?? []),
  record.quorum,
  record.createdAt,
  record.expiresAt,
]
