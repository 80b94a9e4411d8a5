/**
 * Jobs in PostgreSQL: one row per job, its steps as JSON text. An update is one statement that merges
 * the patch in SQL, so two updates from different replicas never lose each other's change and a job's
 * card can be moved on by whichever replica continues or closes the job.
 */
import type { JobRecord, JobStore } from '../../core/store-ports.js'
import { type JobRow, jobFromRow, newJobValues } from '../job-row.js'
import { type PgDb, type PgRow, withNumbers } from './pg-db.js'

/** A jobs row as node-postgres returns it, its BIGINT times as strings. */
type PgJobRow = PgRow<JobRow, 'created_at' | 'updated_at'>

const toRecord = (row: PgJobRow): JobRecord => jobFromRow(withNumbers(row, 'created_at', 'updated_at'))

const COLUMNS =
  'id, state, path, summary, requester_key, requester_name, approval_id, owner, card, steps, result, error'

type JobPatch = Partial<Pick<JobRecord, 'state' | 'steps' | 'result' | 'error' | 'card'>>

export class PgJobStore implements JobStore {
  readonly #db: PgDb

  constructor(db: PgDb) {
    this.#db = db
  }

  /** Stores a new job; `approvalId`, when given, must name a stored approval (a foreign key). */
  async create(record: Omit<JobRecord, 'updatedAt'>): Promise<JobRecord> {
    const { rows } = await this.#db.query<PgJobRow>(
      `INSERT INTO jobs (${COLUMNS}, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
       RETURNING *`,
      newJobValues(record),
    )
    if (!rows[0]) throw new Error(`job ${record.id} was not stored`)
    return toRecord(rows[0])
  }

  /**
   * Merges the patch: `state`, `steps` and `card` when given, `result` and `error` whenever the key is
   * present (an explicit undefined clears them). Throws for an unknown job id.
   */
  async update(id: string, patch: JobPatch, at: number): Promise<JobRecord> {
    const { rows } = await this.#db.query<PgJobRow>(
      `UPDATE jobs SET
         state = coalesce($2, state),
         steps = coalesce($3, steps),
         result = CASE WHEN $4::boolean THEN $5 ELSE result END,
         error = CASE WHEN $6::boolean THEN $7 ELSE error END,
         card = coalesce($9, card),
         updated_at = $8
       WHERE id = $1
       RETURNING *`,
      [
        id,
        patch.state ?? null,
        patch.steps ? JSON.stringify(patch.steps) : null,
        'result' in patch,
        patch.result ?? null,
        'error' in patch,
        patch.error ?? null,
        at,
        patch.card ? JSON.stringify(patch.card) : null,
      ],
    )
    if (!rows[0]) throw new Error(`no job with id ${id}`)
    return toRecord(rows[0])
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const { rows } = await this.#db.query<PgJobRow>('SELECT * FROM jobs WHERE id = $1', [id])
    return rows[0] && toRecord(rows[0])
  }

  /** The requester's newest jobs first (ties broken by insertion order, newest first). */
  async recent(requesterKey: string, limit: number): Promise<JobRecord[]> {
    const { rows } = await this.#db.query<PgJobRow>(
      'SELECT * FROM jobs WHERE requester_key = $1 ORDER BY created_at DESC, ord DESC LIMIT $2',
      [requesterKey, Math.max(0, Math.floor(limit))],
    )
    return rows.map(toRecord)
  }

  /**
   * Steps are left as they were: the card shows how far the job got. Jobs without an owner (written by
   * a single bot) count as owned by nobody alive.
   */
  async interruptRunning(at: number, alive: readonly string[] = []): Promise<JobRecord[]> {
    const { rows } = await this.#db.query<PgJobRow>(
      `UPDATE jobs SET state = 'interrupted', updated_at = $1
       WHERE state = 'running' AND (owner IS NULL OR NOT (owner = ANY ($2::text[])))
       RETURNING *`,
      [at, [...alive]],
    )
    return rows.map(toRecord).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
  }
}
