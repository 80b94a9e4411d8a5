/**
 * Approvals in SQLite. Every decision reads and writes inside one BEGIN IMMEDIATE transaction, which
 * takes the database's write lock before reading: two votes on the same approval, from this process or
 * another one on the same file, run one after the other, and the second sees what the first decided.
 * (A plain BEGIN would read first and could fail to upgrade to a writer, SQLITE_BUSY, instead of waiting.)
 */
import type { Database } from 'better-sqlite3'
import type { ApprovalRecord, ApprovalStore, ApprovalVote, VoteOutcome } from '../core/store-ports.js'
import { type ApprovalRow, approvalFromRow, newApprovalValues } from './approval-row.js'
import { ConnectionLock } from './connection-lock.js'

const byCreation = (a: ApprovalRecord, b: ApprovalRecord) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)

export class SqliteApprovalStore implements ApprovalStore {
  /** Shared with the other stores on this connection (see connection-lock.ts). */
  readonly #lock: ConnectionLock
  readonly #db: Database
  readonly #vote: (id: string, vote: ApprovalVote, quorum: number) => VoteOutcome

  constructor(db: Database, lock = new ConnectionLock()) {
    this.#lock = lock
    this.#db = db
    const tx = db.transaction((id: string, vote: ApprovalVote, quorum: number) => this.#decide(id, vote, quorum))
    this.#vote = (id, vote, quorum) => tx.immediate(id, vote, quorum)
  }

  create(record: Omit<ApprovalRecord, 'state' | 'approvals' | 'decidedBy' | 'jobId'>): Promise<ApprovalRecord> {
    return this.#lock.run(() => {
      this.#db
        .prepare(
          `INSERT INTO approvals (id, state, path, args, plan_digest, plan_summary, requester_key, requester_name,
           requester_groups, quorum, approvals, created_at, expires_at)
         VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?)`,
        )
        .run(...newApprovalValues(record))
      const created = this.#get(record.id)
      if (!created) throw new Error(`approval ${record.id} was not stored`)
      return created
    })
  }

  get(id: string): Promise<ApprovalRecord | undefined> {
    return this.#lock.run(() => {
      return this.#get(id)
    })
  }

  #get(id: string): ApprovalRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM approvals WHERE id = ?').get(id) as ApprovalRow | undefined
    return row && approvalFromRow(row)
  }

  vote(id: string, vote: ApprovalVote, quorum: number): Promise<VoteOutcome> {
    return this.#lock.run(() => {
      return this.#vote(id, vote, quorum)
    })
  }

  /** The body of `vote`, run inside the immediate transaction. */
  #decide(id: string, vote: ApprovalVote, quorum: number): VoteOutcome {
    const record = this.#get(id)
    if (!record) return { kind: 'unknown' }
    if (record.state !== 'pending') return { kind: 'closed', record }
    if (record.expiresAt <= vote.at) {
      this.#db.prepare("UPDATE approvals SET state = 'expired' WHERE id = ?").run(id)
      return { kind: 'closed', record: { ...record, state: 'expired' } }
    }
    if (vote.kind !== 'approve') {
      const state = vote.kind === 'deny' ? 'denied' : 'cancelled'
      this.#db.prepare('UPDATE approvals SET state = ?, decided_by = ? WHERE id = ?').run(state, vote.actorName, id)
      return { kind: 'recorded', record: { ...record, state, decidedBy: vote.actorName }, reachedQuorum: false }
    }
    if (record.approvals.some((a) => a.actorKey === vote.actorKey)) return { kind: 'duplicate', record }
    const approvals = [...record.approvals, { actorKey: vote.actorKey, actorName: vote.actorName, at: vote.at }]
    // The stricter of the quorum the request was created with and the one asked for now.
    const reachedQuorum = approvals.length >= Math.max(quorum, record.quorum)
    const state = reachedQuorum ? 'approved' : 'pending'
    this.#db
      .prepare('UPDATE approvals SET approvals = ?, state = ? WHERE id = ?')
      .run(JSON.stringify(approvals), state, id)
    return { kind: 'recorded', record: { ...record, approvals, state }, reachedQuorum }
  }

  claimForJob(id: string, jobId: string): Promise<boolean> {
    return this.#lock.run(() => {
      // One conditional statement: of two concurrent claims, the second finds job_id set and changes nothing.
      const result = this.#db
        .prepare("UPDATE approvals SET job_id = ? WHERE id = ? AND job_id IS NULL AND state = 'approved'")
        .run(jobId, id)
      return result.changes === 1
    })
  }

  pending(now: number): Promise<ApprovalRecord[]> {
    return this.#lock.run(() => {
      const rows = this.#db
        .prepare("SELECT * FROM approvals WHERE state = 'pending' AND expires_at > ? ORDER BY created_at, id")
        .all(now) as ApprovalRow[]
      return rows.map(approvalFromRow)
    })
  }

  expire(now: number): Promise<ApprovalRecord[]> {
    return this.#lock.run(() => {
      const rows = this.#db
        .prepare("UPDATE approvals SET state = 'expired' WHERE state = 'pending' AND expires_at <= ? RETURNING *")
        .all(now) as ApprovalRow[]
      return rows.map(approvalFromRow).sort(byCreation)
    })
  }
}
