/**
 * Seen platform interactions in PostgreSQL, so an event delivered to two replicas (or redelivered to
 * one) runs once: the claim is one INSERT … ON CONFLICT DO NOTHING on the primary key, and of two
 * concurrent claims the second waits for the first to commit and then inserts nothing.
 */
import type { InteractionStore } from '../../core/store-ports.js'
import { INTERACTION_RETENTION_MS } from '../sqlite-interactions.js'
import type { PgDb } from './pg-db.js'

export class PgInteractionStore implements InteractionStore {
  readonly #db: PgDb
  readonly #retentionMs: number

  constructor(db: PgDb, retentionMs = INTERACTION_RETENTION_MS) {
    this.#db = db
    this.#retentionMs = retentionMs
  }

  async claim(interactionId: string, at: number): Promise<boolean> {
    const inserted = await this.#db.query(
      'INSERT INTO interactions (id, seen_at) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [interactionId, at],
    )
    // Forget ids older than the retention (indexed on seen_at: nothing to scan when nothing is old).
    await this.#db.query('DELETE FROM interactions WHERE seen_at < $1', [at - this.#retentionMs])
    return inserted.rowCount === 1
  }
}
