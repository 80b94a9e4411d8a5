/**
 * Seen platform interactions (Slack action triggers and envelope ids, Discord interaction ids), so a
 * redelivered event runs nothing twice (Slack Socket Mode may redeliver to another connection,
 * bolt-python#1071). The claim is one INSERT OR IGNORE: of two concurrent claims only one inserts.
 */
import type { Database } from 'better-sqlite3'
import type { InteractionStore } from '../core/store-ports.js'
import { ConnectionLock } from './connection-lock.js'

/**
 * How long an id is remembered. Platforms redeliver within minutes (Slack's Events API retries about
 * 1 and 5 minutes after a failure); a week is far past that and keeps the table from growing forever.
 */
export const INTERACTION_RETENTION_MS = 7 * 24 * 60 * 60 * 1000

export class SqliteInteractionStore implements InteractionStore {
  /** Shared with the other stores on this connection (see connection-lock.ts). */
  readonly #lock: ConnectionLock
  readonly #db: Database
  readonly #retentionMs: number

  constructor(db: Database, retentionMs = INTERACTION_RETENTION_MS, lock = new ConnectionLock()) {
    this.#lock = lock
    this.#db = db
    this.#retentionMs = retentionMs
  }

  claim(interactionId: string, at: number): Promise<boolean> {
    return this.#lock.run(() => {
      const inserted = this.#db
        .prepare('INSERT OR IGNORE INTO interactions (id, seen_at) VALUES (?, ?)')
        .run(interactionId, at)
      // Forget ids older than the retention (indexed on seen_at: nothing to scan when nothing is old).
      this.#db.prepare('DELETE FROM interactions WHERE seen_at < ?').run(at - this.#retentionMs)
      return inserted.changes === 1
    })
  }
}
