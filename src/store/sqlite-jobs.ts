/**
 * Jobs in SQLite: one row per job, its steps as a JSON array. An update reads the row and writes the
 * merged patch inside one BEGIN IMMEDIATE transaction, so two updates never lose each other's change.
 */
import type { Database } from 'better-sqlite3'
import type { JobRecord, JobStore } from '../core/store-ports.js'
import { ConnectionLock } from './connection-lock.js'
import { type JobRow, jobFromRow, newJobValues } from './job-row.js'

type JobPatch = Partial<Pick<JobRecord, 'state' | 'steps' | 'result' | 'error' | 'card'>>

export class SqliteJobStore implements JobStore {
  /** Shared with the other stores on this connection (see connection-lock.ts). */
  readonly #lock: ConnectionLock
  readonly #db: Database
  readonly #update: (id: string, patch: JobPatch, at: number) => JobRecord

  constructor(db: Database, lock = new ConnectionLock()) {
    this.#lock = lock
    this.#db = db
    const tx = db.transaction((id: string, patch: JobPatch, at: number) => this.#apply(id, patch, at))
    this.#update = (id, patch, at) => tx.immediate(id, patch, at)
  }

  /** Stores a new job; `approvalId`, when given, must name a stored approval (a foreign key). */
  create(record: Omit<JobRecord, 'updatedAt'>): Promise<JobRecord> {
    return this.#lock.run(() => {
      this.#db
        .prepare(
          `INSERT INTO jobs (id, state, path, summary, requester_key, requester_name, approval_id, owner, card, steps,
           result, error, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(...newJobValues(record), record.createdAt)
      return this.#must(record.id)
    })
  }

  /**
   * Merges the patch: `state` and `steps` when given, `result` and `error` whenever the key is present
   * (an explicit undefined clears them). Throws for an unknown job id.
   */
  update(id: string, patch: JobPatch, at: number): Promise<JobRecord> {
    return this.#lock.run(() => {
      return this.#update(id, patch, at)
    })
  }

  #apply(id: string, patch: JobPatch, at: number): JobRecord {
    const job = this.#must(id)
    const next = {
      state: patch.state ?? job.state,
      steps: patch.steps ?? job.steps,
      result: 'result' in patch ? patch.result : job.result,
      error: 'error' in patch ? patch.error : job.error,
      card: patch.card ?? job.card,
    }
    this.#db
      .prepare('UPDATE jobs SET state = ?, steps = ?, result = ?, error = ?, card = ?, updated_at = ? WHERE id = ?')
      .run(
        next.state,
        JSON.stringify(next.steps),
        next.result ?? null,
        next.error ?? null,
        next.card ? JSON.stringify(next.card) : null,
        at,
        id,
      )
    return this.#must(id)
  }

  get(id: string): Promise<JobRecord | undefined> {
    return this.#lock.run(() => {
      return this.#get(id)
    })
  }

  #get(id: string): JobRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined
    return row && jobFromRow(row)
  }

  /** The requester's newest jobs first (ties broken by insertion order, newest first). */
  recent(requesterKey: string, limit: number): Promise<JobRecord[]> {
    return this.#lock.run(() => {
      const rows = this.#db
        .prepare('SELECT * FROM jobs WHERE requester_key = ? ORDER BY created_at DESC, rowid DESC LIMIT ?')
        .all(requesterKey, Math.max(0, Math.floor(limit))) as JobRow[]
      return rows.map(jobFromRow)
    })
  }

  /** Steps are left as they were: the card shows how far the job got before the restart. */
  interruptRunning(at: number, alive: readonly string[] = []): Promise<JobRecord[]> {
    return this.#lock.run(() => {
      // json_each turns the list into rows, so any number of live owners is one statement.
      const rows = this.#db
        .prepare(
          `UPDATE jobs SET state = 'interrupted', updated_at = ?
         WHERE state = 'running' AND (owner IS NULL OR owner NOT IN (SELECT value FROM json_each(?)))
         RETURNING *`,
        )
        .all(at, JSON.stringify(alive)) as JobRow[]
      return rows.map(jobFromRow).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
    })
  }

  #must(id: string): JobRecord {
    const job = this.#get(id)
    if (!job) throw new Error(`no job with id ${id}`)
    return job
  }
}
