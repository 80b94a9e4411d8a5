/**
 * Alert state in PostgreSQL (issue #11, for several replicas by issue #15): alerts, where each went,
 * digests and mutes, with SQLite's tables and meanings (src/store/sqlite-alerts.ts). A new alert and
 * its posts are one statement; the decisions with one winner (acknowledge an open alert, claim its one
 * restart) lock the alert's row for their transaction, so presses on two replicas meet there; the
 * unique index on live keys keeps one alert per condition.
 *
 * `atomically` runs its callback on one connection inside one transaction, handing it a view of this
 * store bound to that connection. Calls wait their turn twice: in this process (so a queue of them
 * holds one pooled connection, not all of them), and across replicas on a transaction-level advisory
 * lock (a leader handing over mid-storm cannot interleave with the next one).
 */
import type { AlertDestinationKey, AlertPost, AlertRecord, AlertStore, DigestRecord } from '../../alerts/alert-types.js'
import { type AlertDigestRow, type AlertPostRow, digestFromRow, postFromRow, withoutUndefined } from '../alert-rows.js'
import { type PgDb, toNumber } from './pg-db.js'

/** The advisory lock class for `atomically` ('xcal'); the second key is the schema's hash. */
const ALERTS_LOCK = 0x7863616c

const parse = (rows: readonly { data: string }[]) => rows.map((row) => JSON.parse(row.data) as AlertRecord)

/** Serialises `atomically` in this process; shared by a store and the views it hands out. */
class Turns {
  #tail: Promise<unknown> = Promise.resolve()

  run<T>(work: () => Promise<T>): Promise<T> {
    const mine = this.#tail.then(work, work)
    this.#tail = mine.catch(() => undefined)
    return mine
  }
}

export class PgAlertStore implements AlertStore {
  readonly #db: PgDb
  readonly #turns: Turns

  constructor(db: PgDb, turns = new Turns()) {
    this.#db = db
    this.#turns = turns
  }

  /**
   * One transaction for `fn`'s calls on `tx`. Inside a transaction already (this is a view), `fn` joins
   * it. Calls on this store (not `tx`) from inside `fn` run on other connections, outside the
   * transaction, and may wait for its row locks: use `tx`.
   */
  atomically<T>(fn: (tx: AlertStore) => Promise<T>): Promise<T> {
    if (this.#db.inTransaction) return fn(this)
    return this.#turns.run(() =>
      this.#db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))', [ALERTS_LOCK])
        return fn(new PgAlertStore(tx, this.#turns))
      }),
    )
  }

  async create(record: AlertRecord, destinations: readonly AlertDestinationKey[]): Promise<AlertRecord> {
    const stored = withoutUndefined(record)
    // One statement: the alert and its pending posts are written together or not at all.
    await this.#db.query(
      `WITH alert AS (
         INSERT INTO alerts (id, key, kind, state, first_at, resolved_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id
       )
       INSERT INTO alert_posts (alert_id, platform, channel)
       SELECT alert.id, d.platform, d.channel FROM alert, unnest($8::text[], $9::text[]) AS d (platform, channel)`,
      [
        stored.id,
        stored.key,
        stored.kind,
        stored.state,
        stored.firstAt,
        stored.resolvedAt ?? null,
        JSON.stringify(stored),
        destinations.map((d) => d.platform),
        destinations.map((d) => d.channel),
      ],
    )
    return record
  }

  async get(id: string): Promise<AlertRecord | undefined> {
    return parse((await this.#db.query<{ data: string }>('SELECT data FROM alerts WHERE id = $1', [id])).rows)[0]
  }

  async live(key: string): Promise<AlertRecord | undefined> {
    const sql = "SELECT data FROM alerts WHERE key = $1 AND state <> 'resolved'"
    return parse((await this.#db.query<{ data: string }>(sql, [key])).rows)[0]
  }

  async latest(key: string): Promise<AlertRecord | undefined> {
    const sql = 'SELECT data FROM alerts WHERE key = $1 ORDER BY first_at DESC, ord DESC LIMIT 1'
    return parse((await this.#db.query<{ data: string }>(sql, [key])).rows)[0]
  }

  async unresolved(): Promise<AlertRecord[]> {
    const sql = "SELECT data FROM alerts WHERE state <> 'resolved' ORDER BY first_at, ord"
    return parse((await this.#db.query<{ data: string }>(sql)).rows)
  }

  update(id: string, patch: Partial<Omit<AlertRecord, 'id' | 'key' | 'kind' | 'firstAt'>>): Promise<AlertRecord> {
    return this.#change(id, (current) => withoutUndefined({ ...current, ...patch }) as AlertRecord).then((next) => {
      if (!next) throw new Error(`no alert ${id}`)
      return next
    })
  }

  acknowledge(id: string, by: string, at: number): Promise<AlertRecord | undefined> {
    return this.#change(id, (current) =>
      current.state === 'open' ? { ...current, state: 'acknowledged', ackedBy: by, ackedAt: at } : undefined,
    )
  }

  async claimRestart(id: string, by: string, at: number): Promise<boolean> {
    const next = await this.#change(id, (current) =>
      current.state !== 'resolved' && current.restart == null ? { ...current, restart: { by, at } } : undefined,
    )
    return next !== undefined
  }

  /**
   * Reads the alert with its row locked, lets `decide` return the next record (undefined: no change),
   * and writes it, in one transaction. Undefined when the alert is unknown or nothing changed.
   */
  #change(id: string, decide: (current: AlertRecord) => AlertRecord | undefined): Promise<AlertRecord | undefined> {
    return this.#db.transaction(async (tx) => {
      const { rows } = await tx.query<{ data: string }>('SELECT data FROM alerts WHERE id = $1 FOR UPDATE', [id])
      const current = parse(rows)[0]
      if (!current) return undefined
      const next = decide(current)
      if (!next) return undefined
      await tx.query('UPDATE alerts SET state = $2, resolved_at = $3, data = $4 WHERE id = $1', [
        id,
        next.state,
        next.resolvedAt ?? null,
        JSON.stringify(next),
      ])
      return next
    })
  }

  async mute(key: string, until: number, by: string): Promise<void> {
    await this.#db.query(
      `INSERT INTO alert_mutes (key, until, muted_by) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET until = excluded.until, muted_by = excluded.muted_by`,
      [key, until, by],
    )
  }

  async muted(key: string, now: number): Promise<{ until: number; by: string } | undefined> {
    const { rows } = await this.#db.query<{ until: string; muted_by: string }>(
      'SELECT until, muted_by FROM alert_mutes WHERE key = $1 AND until > $2',
      [key, now],
    )
    const row = rows[0]
    return row && { until: toNumber(row.until), by: row.muted_by }
  }

  async posts(alertId: string): Promise<AlertPost[]> {
    const sql = 'SELECT * FROM alert_posts WHERE alert_id = $1 ORDER BY platform, channel'
    return (await this.#db.query<AlertPostRow>(sql, [alertId])).rows.map(postFromRow)
  }

  async pendingPosts(): Promise<AlertPost[]> {
    const { rows } = await this.#db.query<AlertPostRow>(
      `SELECT p.* FROM alert_posts p JOIN alerts a ON a.id = p.alert_id
       WHERE p.message_id IS NULL AND p.digest_id IS NULL AND a.state <> 'resolved'
       ORDER BY a.first_at, a.ord, p.platform, p.channel`,
    )
    return rows.map(postFromRow)
  }

  async setPost(post: AlertPost): Promise<void> {
    await this.#db.query(
      `INSERT INTO alert_posts (alert_id, platform, channel, message_id, digest_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (alert_id, platform, channel)
       DO UPDATE SET message_id = excluded.message_id, digest_id = excluded.digest_id`,
      [post.alertId, post.platform, post.channel, post.messageId ?? null, post.digestId ?? null],
    )
  }

  async digest(id: string): Promise<DigestRecord | undefined> {
    return digestFromRow(
      (await this.#db.query<AlertDigestRow>('SELECT * FROM alert_digests WHERE id = $1', [id])).rows[0],
    )
  }

  async openDigest(
    destination: AlertDestinationKey,
    reason: DigestRecord['reason'],
  ): Promise<DigestRecord | undefined> {
    const { rows } = await this.#db.query<AlertDigestRow>(
      `SELECT * FROM alert_digests WHERE platform = $1 AND channel = $2 AND reason = $3 AND NOT closed
       ORDER BY ord DESC LIMIT 1`,
      [destination.platform, destination.channel, reason],
    )
    return digestFromRow(rows[0])
  }

  async saveDigest(digest: DigestRecord): Promise<void> {
    const { id, platform, channel, reason, closed, ...data } = digest
    await this.#db.query(
      `INSERT INTO alert_digests (id, platform, channel, reason, closed, data) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET closed = excluded.closed, data = excluded.data`,
      [id, platform, channel, reason, closed, JSON.stringify(withoutUndefined(data))],
    )
  }

  prune(before: number): Promise<number> {
    return this.#db.transaction(async (tx) => {
      // Locking the alerts first makes a post being written for one of them wait (its foreign key
      // takes a share lock on the alert), so deleting the posts and then the alerts cannot miss one.
      const { rows } = await tx.query<{ id: string }>(
        "SELECT id FROM alerts WHERE state = 'resolved' AND resolved_at < $1 FOR UPDATE",
        [before],
      )
      const ids = rows.map((row) => row.id)
      if (ids.length > 0) {
        await tx.query('DELETE FROM alert_posts WHERE alert_id = ANY ($1::text[])', [ids])
        await tx.query('DELETE FROM alerts WHERE id = ANY ($1::text[])', [ids])
      }
      await tx.query(
        'DELETE FROM alert_digests d WHERE closed AND NOT EXISTS (SELECT 1 FROM alert_posts p WHERE p.digest_id = d.id)',
      )
      await tx.query('DELETE FROM alert_mutes WHERE until < $1', [before])
      return ids.length
    })
  }

  async digestAlerts(digestId: string): Promise<{ total: number; unresolved: number }> {
    const { rows } = await this.#db.query<{ total: string; unresolved: string }>(
      `SELECT count(*) AS total, count(*) FILTER (WHERE a.state <> 'resolved') AS unresolved
       FROM alert_posts p JOIN alerts a ON a.id = p.alert_id WHERE p.digest_id = $1`,
      [digestId],
    )
    const row = rows[0]
    return { total: row ? toNumber(row.total) : 0, unresolved: row ? toNumber(row.unresolved) : 0 }
  }
}
