/**
 * The audit log in SQLite: an append-only, hash-chained table (see audit-chain.ts for the rules) plus
 * a one-row `audit_head` holding the last seq and hash, written in the same transaction as the entry.
 *
 * Callers pass no secret values: an entry says what was asked, by whom, what was decided and what
 * happened, never a password, token or key. Keys named like secrets and secret-shaped strings are
 * redacted on append anyway (audit-append.ts), before hashing, because an entry cannot be edited later.
 */
import type { Database } from 'better-sqlite3'
import type { AuditAppendOptions, AuditEntry, AuditEvent, AuditLog, AuditVerdict } from '../core/store-ports.js'
import { chainedEntry, storedAuditData } from './audit-append.js'
import { type AuditHead, parseStoredEntry, type StoredAuditEntry, verifyChain } from './audit-chain.js'
import { type AuditRow, auditFromRow, auditValues } from './audit-row.js'
import { ConnectionLock } from './connection-lock.js'

/** Rows are read in pages, so the connection is free between pages (a caller may append while iterating). */
const PAGE = 500

export class SqliteAuditLog implements AuditLog {
  /** Shared with the other stores on this connection (see connection-lock.ts). */
  readonly #lock: ConnectionLock
  readonly #db: Database
  readonly #now: () => number
  readonly #append: (event: AuditEvent) => AuditEntry

  constructor(db: Database, now: () => number = Date.now, lock = new ConnectionLock()) {
    this.#lock = lock
    this.#db = db
    this.#now = now
    const tx = db.transaction((event: AuditEvent) => this.#write(event))
    this.#append = (event) => tx.immediate(event)
  }

  /**
   * Appends one entry and moves the head, in one BEGIN IMMEDIATE transaction (so two writers on the
   * same file never chain to the same head). Any failure (a closed or read-only database, a full disk,
   * data that is not a JSON object or holds a cycle) throws, and the caller must not act.
   *
   * The commit runs with `synchronous = FULL`: in WAL mode NORMAL may lose the last commits on power
   * loss, and an action must not survive its audit entry. FULL syncs the WAL file, so it also makes
   * every earlier commit on the file durable (votes, claims, job updates written with NORMAL).
   */
  append(event: AuditEvent, options: AuditAppendOptions = {}): Promise<AuditEntry> {
    return this.#lock.run(() => {
      if (this.#db.inTransaction || options.durable === false) return this.#append(event) // the synchronous level cannot change mid-transaction
      const before = this.#db.pragma('synchronous', { simple: true }) as number
      this.#db.pragma('synchronous = FULL')
      try {
        return this.#append(event)
      } finally {
        this.#db.pragma(`synchronous = ${before}`)
      }
    })
  }

  #write(event: AuditEvent): AuditEntry {
    const head = this.#head()
    if (!head) throw new Error('the audit head record is missing; run `xen-chatops audit verify`')
    const { data, text } = storedAuditData(event.data)
    const entry = chainedEntry(head, this.#now(), event, data)
    this.#db
      .prepare(
        `INSERT INTO audit_log (seq, at, kind, request_id, platform, user_id, user_name, channel, data, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...auditValues(entry, text))
    const moved = this.#db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1').run(entry.seq, entry.hash)
    if (moved.changes !== 1) throw new Error('the audit head record could not be updated')
    return entry
  }

  /** Checks the whole chain and the head, and names the first problem (see verifyChain). */
  verify(): Promise<AuditVerdict> {
    return this.#lock.run(() => {
      const max = this.#db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM audit_log').get() as { seq: number }
      const bySeq = this.#db.prepare('SELECT seq FROM audit_log WHERE hash = ? ORDER BY seq LIMIT 1').pluck()
      return verifyChain({
        entries: this.#stored(),
        head: this.#head(),
        maxSeq: max.seq,
        seqOfHash: (hash) => bySeq.get(hash) as number | undefined,
      })
    })
  }

  /** Every entry in seq order, as stored (data parsed). */
  async *entries(): AsyncIterable<AuditEntry> {
    // Page by page, each read taking its turn on the connection, so a caller may append between pages.
    const page = this.#db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?')
    let after = Number.MIN_SAFE_INTEGER
    for (;;) {
      const rows = await this.#lock.run(() => page.all(after, PAGE) as AuditRow[])
      for (const row of rows) yield parseStoredEntry(auditFromRow(row))
      const last = rows.at(-1)
      if (!last || rows.length < PAGE) return
      after = last.seq
    }
  }

  #head(): AuditHead | undefined {
    return this.#db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as AuditHead | undefined
  }

  *#stored(): Generator<StoredAuditEntry> {
    const page = this.#db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?')
    let after = Number.MIN_SAFE_INTEGER
    for (;;) {
      const rows = page.all(after, PAGE) as AuditRow[]
      for (const row of rows) yield auditFromRow(row)
      const last = rows.at(-1)
      if (!last || rows.length < PAGE) return
      after = last.seq
    }
  }
}
