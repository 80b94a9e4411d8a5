/**
 * Alert state in SQLite (issue #11), the statements themselves, synchronous as better-sqlite3 is:
 * alerts, where each went (message or digest), digests and mutes. Statements are prepared once: a storm
 * writes thousands of alerts in seconds. The decisions that must have one winner are single conditional
 * statements — acknowledging only an open alert, claiming an alert's one restart — and the unique index
 * on live keys keeps one alert per condition. The AlertStore port (asynchronous, with its transactions)
 * is SqliteAlertStore, over these (src/store/sqlite-alerts.ts).
 */
import type { Database, Statement } from 'better-sqlite3'
import type { AlertDestinationKey, AlertPost, AlertRecord, AlertStore, DigestRecord } from '../alerts/alert-types.js'
import { type AlertDigestRow, type AlertPostRow, digestFromRow, postFromRow, withoutUndefined } from './alert-rows.js'

/** A port method's synchronous twin: the same arguments, the answer itself instead of a promise of it. */
type Synchronous<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never
}

/** The AlertStore port without its transactions, answering at once. */
export type SyncAlertStore = Synchronous<Omit<AlertStore, 'atomically'>>

interface AlertRow {
  data: string
}

const toAlert = (row: AlertRow | undefined): AlertRecord | undefined =>
  row ? (JSON.parse(row.data) as AlertRecord) : undefined

export class AlertStatements implements SyncAlertStore {
  readonly #s: Record<string, Statement>
  readonly #create: (record: AlertRecord, destinations: readonly AlertDestinationKey[]) => void
  readonly #update: (id: string, patch: Partial<AlertRecord>) => AlertRecord
  readonly #prune: (before: number) => number

  constructor(db: Database) {
    const p = (sql: string) => db.prepare(sql)
    this.#s = {
      insert: p('INSERT INTO alerts (id, key, kind, state, first_at, data) VALUES (?, ?, ?, ?, ?, ?)'),
      insertPost: p('INSERT INTO alert_posts (alert_id, platform, channel) VALUES (?, ?, ?)'),
      get: p('SELECT data FROM alerts WHERE id = ?'),
      live: p("SELECT data FROM alerts WHERE key = ? AND state != 'resolved'"),
      latest: p('SELECT data FROM alerts WHERE key = ? ORDER BY first_at DESC, rowid DESC LIMIT 1'),
      unresolved: p("SELECT data FROM alerts WHERE state != 'resolved' ORDER BY first_at, rowid"),
      write: p('UPDATE alerts SET state = ?, data = ? WHERE id = ?'),
      acknowledge: p(
        `UPDATE alerts SET state = 'acknowledged',
           data = json_set(data, '$.state', 'acknowledged', '$.ackedBy', ?, '$.ackedAt', ?)
         WHERE id = ? AND state = 'open'`,
      ),
      claimRestart: p(
        `UPDATE alerts SET data = json_set(data, '$.restart', json_object('by', ?, 'at', ?))
         WHERE id = ? AND state != 'resolved' AND json_extract(data, '$.restart') IS NULL`,
      ),
      mute: p(
        'INSERT INTO alert_mutes (key, until, muted_by) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET until = excluded.until, muted_by = excluded.muted_by',
      ),
      muted: p('SELECT until, muted_by FROM alert_mutes WHERE key = ? AND until > ?'),
      posts: p('SELECT * FROM alert_posts WHERE alert_id = ?'),
      pending: p(
        `SELECT p.* FROM alert_posts p JOIN alerts a ON a.id = p.alert_id
         WHERE p.message_id IS NULL AND p.digest_id IS NULL AND a.state != 'resolved' ORDER BY a.first_at, a.rowid`,
      ),
      setPost: p(
        `INSERT INTO alert_posts (alert_id, platform, channel, message_id, digest_id) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (alert_id, platform, channel) DO UPDATE SET message_id = excluded.message_id, digest_id = excluded.digest_id`,
      ),
      digest: p('SELECT * FROM alert_digests WHERE id = ?'),
      openDigest: p(
        'SELECT * FROM alert_digests WHERE platform = ? AND channel = ? AND reason = ? AND closed = 0 ORDER BY rowid DESC LIMIT 1',
      ),
      saveDigest: p(
        `INSERT INTO alert_digests (id, platform, channel, reason, closed, data) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET closed = excluded.closed, data = excluded.data`,
      ),
      digestAlerts: p(
        `SELECT count(*) AS total, coalesce(sum(a.state != 'resolved'), 0) AS unresolved
         FROM alert_posts p JOIN alerts a ON a.id = p.alert_id WHERE p.digest_id = ?`,
      ),
    }
    this.#create = db.transaction((record: AlertRecord, destinations: readonly AlertDestinationKey[]) => {
      this.#stmt('insert').run(record.id, record.key, record.kind, record.state, record.firstAt, JSON.stringify(record))
      for (const d of destinations) this.#stmt('insertPost').run(record.id, d.platform, d.channel)
    })
    this.#prune = db.transaction((before: number) => {
      const old = "SELECT id FROM alerts WHERE state = 'resolved' AND json_extract(data, '$.resolvedAt') < ?"
      db.prepare(`DELETE FROM alert_posts WHERE alert_id IN (${old})`).run(before)
      const gone = db.prepare(`DELETE FROM alerts WHERE id IN (${old})`).run(before).changes
      db.prepare(
        'DELETE FROM alert_digests WHERE closed = 1 AND NOT EXISTS (SELECT 1 FROM alert_posts p WHERE p.digest_id = alert_digests.id)',
      ).run()
      db.prepare('DELETE FROM alert_mutes WHERE until < ?').run(before)
      return gone
    })
    this.#update = db.transaction((id: string, patch: Partial<AlertRecord>) => {
      const current = this.get(id)
      if (!current) throw new Error(`no alert ${id}`)
      const next = withoutUndefined({ ...current, ...patch }) as AlertRecord
      this.#stmt('write').run(next.state, JSON.stringify(next), id)
      return next
    })
  }

  #stmt(name: string): Statement {
    const statement = this.#s[name]
    if (!statement) throw new Error(`no statement ${name}`)
    return statement
  }

  create(record: AlertRecord, destinations: readonly AlertDestinationKey[]): AlertRecord {
    this.#create(withoutUndefined(record), destinations)
    return record
  }

  get(id: string): AlertRecord | undefined {
    return toAlert(this.#stmt('get').get(id) as AlertRow | undefined)
  }

  live(key: string): AlertRecord | undefined {
    return toAlert(this.#stmt('live').get(key) as AlertRow | undefined)
  }

  latest(key: string): AlertRecord | undefined {
    return toAlert(this.#stmt('latest').get(key) as AlertRow | undefined)
  }

  unresolved(): AlertRecord[] {
    return (this.#stmt('unresolved').all() as AlertRow[]).map((row) => JSON.parse(row.data) as AlertRecord)
  }

  update(id: string, patch: Partial<Omit<AlertRecord, 'id' | 'key' | 'kind' | 'firstAt'>>): AlertRecord {
    return this.#update(id, patch)
  }

  acknowledge(id: string, by: string, at: number): AlertRecord | undefined {
    return this.#stmt('acknowledge').run(by, at, id).changes === 1 ? this.get(id) : undefined
  }

  claimRestart(id: string, by: string, at: number): boolean {
    return this.#stmt('claimRestart').run(by, at, id).changes === 1
  }

  mute(key: string, until: number, by: string): void {
    this.#stmt('mute').run(key, until, by)
  }

  muted(key: string, now: number): { until: number; by: string } | undefined {
    const row = this.#stmt('muted').get(key, now) as { until: number; muted_by: string } | undefined
    return row && { until: row.until, by: row.muted_by }
  }

  posts(alertId: string): AlertPost[] {
    return (this.#stmt('posts').all(alertId) as AlertPostRow[]).map(postFromRow)
  }

  pendingPosts(): AlertPost[] {
    return (this.#stmt('pending').all() as AlertPostRow[]).map(postFromRow)
  }

  setPost(post: AlertPost): void {
    this.#stmt('setPost').run(post.alertId, post.platform, post.channel, post.messageId ?? null, post.digestId ?? null)
  }

  digest(id: string): DigestRecord | undefined {
    return digestFromRow(this.#stmt('digest').get(id) as AlertDigestRow | undefined)
  }

  openDigest(destination: AlertDestinationKey, reason: DigestRecord['reason']): DigestRecord | undefined {
    const row = this.#stmt('openDigest').get(destination.platform, destination.channel, reason)
    return digestFromRow(row as AlertDigestRow | undefined)
  }

  saveDigest(digest: DigestRecord): void {
    const { id, platform, channel, reason, closed, ...data } = digest
    this.#stmt('saveDigest').run(id, platform, channel, reason, closed ? 1 : 0, JSON.stringify(withoutUndefined(data)))
  }

  prune(before: number): number {
    return this.#prune(before)
  }

  digestAlerts(digestId: string): { total: number; unresolved: number } {
    return this.#stmt('digestAlerts').get(digestId) as { total: number; unresolved: number }
  }
}
