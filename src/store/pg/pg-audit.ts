/**
 * The audit log in PostgreSQL: the same hash chain as SQLite's (audit-chain.ts computes and checks it;
 * an entry written here verifies there and back), the same one-row `audit_head`, the same redaction
 * before hashing (audit-append.ts, shared with SQLite).
 *
 * Appends from every replica are serialised by the head's row lock: each append locks the head with
 * SELECT … FOR UPDATE, chains to it, inserts the entry and moves the head, in one transaction. A second
 * writer waits at the lock and then chains to the entry the first wrote, so the chain stays linear
 * however many replicas write.
 */
import type { AuditAppendOptions, AuditEntry, AuditEvent, AuditLog, AuditVerdict } from '../../core/store-ports.js'
import { chainedEntry, storedAuditData } from '../audit-append.js'
import { type AuditHead, parseStoredEntry, type StoredAuditEntry, verifyChain } from '../audit-chain.js'
import { type AuditRow, auditFromRow, auditValues } from '../audit-row.js'
import { type PgDb, type PgRow, toNumber, withNumbers } from './pg-db.js'

/** An audit_log row as node-postgres returns it, its BIGINT seq and time as strings. */
type PgAuditRow = PgRow<AuditRow, 'seq' | 'at'>

const toStored = (row: PgAuditRow): StoredAuditEntry => auditFromRow(withNumbers(row, 'seq', 'at'))

/** Rows are read in pages (a caller may append while iterating, on another connection). */
const PAGE = 500

export class PgAuditLog implements AuditLog {
  readonly #db: PgDb
  readonly #now: () => number

  constructor(db: PgDb, now: () => number = Date.now) {
    this.#db = db
    this.#now = now
  }

  /**
   * Appends one entry and moves the head in one transaction; any failure throws and the caller must
   * not act. Durable by default: the commit waits for the server's WAL flush (synchronous_commit as the
   * server has it, `on` unless configured otherwise). A non-durable entry (a read-only request) sets
   * synchronous_commit off for its own transaction: still chained, durable with the next flushed commit.
   */
  async append(event: AuditEvent, options: AuditAppendOptions = {}): Promise<AuditEntry> {
    // Data that cannot be written canonically throws here, before anything is locked.
    const { data, text } = storedAuditData(event.data)
    return this.#db.transaction(async (tx) => {
      if (options.durable === false && !this.#db.inTransaction) await tx.query('SET LOCAL synchronous_commit = off')
      const { rows } = await tx.query<{ seq: string; hash: string }>(
        'SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE',
      )
      const head = rows[0]
      if (!head) throw new Error('the audit head record is missing; run `xen-chatops audit verify`')
      const entry = chainedEntry({ seq: toNumber(head.seq), hash: head.hash }, this.#now(), event, data)
      await tx.query(
        `INSERT INTO audit_log (seq, at, kind, request_id, platform, user_id, user_name, channel, data, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        auditValues(entry, text),
      )
      const moved = await tx.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [entry.seq, entry.hash])
      if (moved.rowCount !== 1) throw new Error('the audit head record could not be updated')
      return entry
    })
  }

  /**
   * Checks the whole chain and the head, and names the first problem (see verifyChain). The chain is
   * read into memory first: verifyChain walks a synchronous source, and one snapshot (a REPEATABLE
   * READ transaction) keeps appends from other replicas out of the walk, entries and head alike.
   */
  async verify(): Promise<AuditVerdict> {
    const snapshot = await this.#snapshot()
    let byHash: Map<string, number> | undefined
    return verifyChain({
      entries: snapshot.entries,
      head: snapshot.head,
      maxSeq: snapshot.entries.reduce((max, entry) => Math.max(max, entry.seq), 0),
      seqOfHash: (hash) => {
        if (!byHash) {
          byHash = new Map()
          for (const entry of snapshot.entries) if (!byHash.has(entry.hash)) byHash.set(entry.hash, entry.seq)
        }
        return byHash.get(hash)
      },
    })
  }

  async #snapshot(): Promise<{ entries: StoredAuditEntry[]; head: AuditHead | undefined }> {
    const read = async (db: PgDb) => {
      const entries: StoredAuditEntry[] = []
      for await (const stored of this.#pages(db)) entries.push(stored)
      const { rows } = await db.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1')
      const head = rows[0] && { seq: toNumber(rows[0].seq), hash: rows[0].hash }
      return { entries, head }
    }
    if (this.#db.inTransaction) return read(this.#db)
    return this.#db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY')
      return read(tx)
    })
  }

  /** Every entry in seq order, as stored (data parsed), a page at a time. */
  async *entries(): AsyncIterable<AuditEntry> {
    for await (const stored of this.#pages(this.#db)) yield parseStoredEntry(stored)
  }

  async *#pages(db: PgDb): AsyncGenerator<StoredAuditEntry> {
    let after = Number.MIN_SAFE_INTEGER
    for (;;) {
      const { rows } = await db.query<PgAuditRow>('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [
        after,
        PAGE,
      ])
      for (const row of rows) yield toStored(row)
      const last = rows.at(-1)
      if (!last || rows.length < PAGE) return
      after = toNumber(last.seq)
    }
  }
}
