/**
 * Approvals in PostgreSQL. A vote reads the row with SELECT … FOR UPDATE and writes it in the same
 * transaction: two votes on one approval, from any replicas, run one after the other and the second
 * sees what the first decided. The job link is one conditional UPDATE: under READ COMMITTED the second
 * of two concurrent claims waits for the first's row lock, re-checks `job_id IS NULL`, and changes nothing.
 */
import type { ApprovalRecord, ApprovalStore, ApprovalVote, VoteOutcome } from '../../core/store-ports.js'
import { type ApprovalRow, approvalFromRow, newApprovalValues } from '../approval-row.js'
import { type PgDb, type PgRow, withNumbers } from './pg-db.js'

/** An approvals row as node-postgres returns it, its BIGINT times as strings. */
type PgApprovalRow = PgRow<ApprovalRow, 'created_at' | 'expires_at'>

const toRecord = (row: PgApprovalRow): ApprovalRecord => approvalFromRow(withNumbers(row, 'created_at', 'expires_at'))

const byCreation = (a: ApprovalRecord, b: ApprovalRecord) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)

export class PgApprovalStore implements ApprovalStore {
  readonly #db: PgDb

  constructor(db: PgDb) {
    this.#db = db
  }

  async create(record: Omit<ApprovalRecord, 'state' | 'approvals' | 'decidedBy' | 'jobId'>): Promise<ApprovalRecord> {
    const { rows } = await this.#db.query<PgApprovalRow>(
      `INSERT INTO approvals (id, state, path, args, plan_digest, plan_summary, requester_key, requester_name,
         requester_groups, quorum, approvals, created_at, expires_at)
       VALUES ($1, 'pending', $2, $3, $4, $5, $6, $7, $8, $9, '[]', $10, $11)
       RETURNING *`,
      newApprovalValues(record),
    )
    const created = rows[0]
    if (!created) throw new Error(`approval ${record.id} was not stored`)
    return toRecord(created)
  }

  async get(id: string): Promise<ApprovalRecord | undefined> {
    const { rows } = await this.#db.query<PgApprovalRow>('SELECT * FROM approvals WHERE id = $1', [id])
    return rows[0] && toRecord(rows[0])
  }

  vote(id: string, vote: ApprovalVote, quorum: number): Promise<VoteOutcome> {
    return this.#db.transaction((tx) => this.#decide(tx, id, vote, quorum))
  }

  /** The body of `vote`: the same decisions as SQLite's, on the row locked for this transaction. */
  async #decide(tx: PgDb, id: string, vote: ApprovalVote, quorum: number): Promise<VoteOutcome> {
    const { rows } = await tx.query<PgApprovalRow>('SELECT * FROM approvals WHERE id = $1 FOR UPDATE', [id])
    const row = rows[0]
    if (!row) return { kind: 'unknown' }
    const record = toRecord(row)
    if (record.state !== 'pending') return { kind: 'closed', record }
    if (record.expiresAt <= vote.at) {
      await tx.query("UPDATE approvals SET state = 'expired' WHERE id = $1", [id])
      return { kind: 'closed', record: { ...record, state: 'expired' } }
    }
    if (vote.kind !== 'approve') {
      const state = vote.kind === 'deny' ? 'denied' : 'cancelled'
      await tx.query('UPDATE approvals SET state = $2, decided_by = $3 WHERE id = $1', [id, state, vote.actorName])
      return { kind: 'recorded', record: { ...record, state, decidedBy: vote.actorName }, reachedQuorum: false }
    }
    if (record.approvals.some((a) => a.actorKey === vote.actorKey)) return { kind: 'duplicate', record }
    const approvals = [...record.approvals, { actorKey: vote.actorKey, actorName: vote.actorName, at: vote.at }]
    // The stricter of the quorum the request was created with and the one asked for now.
    const reachedQuorum = approvals.length >= Math.max(quorum, record.quorum)
    const state = reachedQuorum ? 'approved' : 'pending'
    await tx.query('UPDATE approvals SET approvals = $2, state = $3 WHERE id = $1', [
      id,
      JSON.stringify(approvals),
      state,
    ])
    return { kind: 'recorded', record: { ...record, approvals, state }, reachedQuorum }
  }

  async claimForJob(id: string, jobId: string): Promise<boolean> {
    const result = await this.#db.query(
      "UPDATE approvals SET job_id = $2 WHERE id = $1 AND job_id IS NULL AND state = 'approved'",
      [id, jobId],
    )
    return result.rowCount === 1
  }

  async pending(now: number): Promise<ApprovalRecord[]> {
    const { rows } = await this.#db.query<PgApprovalRow>(
      "SELECT * FROM approvals WHERE state = 'pending' AND expires_at > $1 ORDER BY created_at, id",
      [now],
    )
    return rows.map(toRecord)
  }

  async expire(now: number): Promise<ApprovalRecord[]> {
    const { rows } = await this.#db.query<PgApprovalRow>(
      "UPDATE approvals SET state = 'expired' WHERE state = 'pending' AND expires_at <= $1 RETURNING *",
      [now],
    )
    return rows.map(toRecord).sort(byCreation)
  }
}
