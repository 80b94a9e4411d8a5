/**
 * The leader lease in PostgreSQL (issue #15): a row `leader_lease(name, holder, term, expires_at)` that
 * the holder renews on a heartbeat and any replica may take once it has run out, plus a `replicas`
 * table every replica heartbeats into (who is alive, for `jobs.interruptRunning`).
 *
 * Why a lease row and not a session advisory lock: a lock held by a connection is released when the
 * server notices the connection is gone, which for a leader whose host froze or whose network dropped
 * is a TCP timeout (minutes by default), and a pooler in transaction mode (PgBouncer) breaks session
 * locks outright. A lease with an expiry in the database's clock bounds the handover whatever happened
 * to the leader, and every replica reads the same clock.
 *
 * The bound: the leader renews every `renewMs`; the lease lasts `ttlMs` from each renewal, by the
 * database's clock. After the leader dies (or stops renewing) another replica, trying every `renewMs`,
 * takes over within ttlMs + renewMs of the leader's last renewal (defaults 3 s + 1 s: within 4 s, plus a
 * round trip). A leader that cannot renew steps down on its own when ttlMs has passed since it sent its
 * last successful renewal (measured on its monotonic clock, which starts before the database stamps the
 * expiry), so it stops before any other replica can start. A replica that stops gives the lease up and
 * another takes over on its next try.
 *
 * Each tick is one statement on the lease's own connection (not the store's pool, so a busy store
 * cannot starve the heartbeat): heartbeat, clear replicas unseen for a day, take or renew the lease.
 */
import { performance } from 'node:perf_hooks'
import { Client } from 'pg'
import { type LeaderLease, newReplicaId } from '../../core/leader-lease.js'
import { pgConnectionConfig } from './open-pg-store.js'
import { toNumber } from './pg-db.js'
import { migratePg } from './pg-migrations.js'

export interface PgLeaderLeaseOptions {
  readonly url: string
  readonly schema?: string | undefined
  /** Default: a new id per process start (newReplicaId). */
  readonly replicaId?: string | undefined
  /** Which lease: replicas contending for the same name elect one leader. Default `leader`. */
  readonly name?: string | undefined
  /** How long the lease lasts after a renewal. Default 3000 ms. */
  readonly ttlMs?: number | undefined
  /** How often the heartbeat runs (renew, or try to take the lease). Default 1000 ms; below ttlMs. */
  readonly renewMs?: number | undefined
  /** A replica counts as alive while its last heartbeat is younger than this. Default ttlMs. */
  readonly aliveMs?: number | undefined
  /** A heartbeat that failed (the database unreachable) or a listener that threw. Default: ignored. */
  readonly onError?: ((error: unknown) => void) | undefined
}

/** Replicas not seen for this long are forgotten (a restarted replica has a new id; the old row is litter). */
const FORGET_REPLICAS_MS = 24 * 60 * 60 * 1000

const DB_NOW = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint'

const TICK = `
  WITH now AS (SELECT ${DB_NOW} AS ms),
  beat AS (
    INSERT INTO replicas (id, started_at, seen_at) SELECT $1, ms, ms FROM now
    ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at
  ),
  forget AS (
    DELETE FROM replicas WHERE seen_at < (SELECT ms FROM now) - ${FORGET_REPLICAS_MS} AND id <> $1
  ),
  lease AS (
    INSERT INTO leader_lease AS l (name, holder, term, acquired_at, expires_at)
    SELECT $2, $1, 1, ms, ms + $3 FROM now
    ON CONFLICT (name) DO UPDATE SET
      holder = excluded.holder,
      term = CASE WHEN l.holder = excluded.holder THEN l.term ELSE l.term + 1 END,
      acquired_at = CASE WHEN l.holder = excluded.holder THEN l.acquired_at ELSE excluded.acquired_at END,
      expires_at = excluded.expires_at
    WHERE l.holder = excluded.holder OR l.expires_at <= excluded.acquired_at
    RETURNING term
  )
  SELECT (SELECT term FROM lease) AS term`

export class PgLeaderLease implements LeaderLease {
  readonly replicaId: string
  readonly #url: string
  readonly #schema: string | undefined
  readonly #name: string
  readonly #ttlMs: number
  readonly #renewMs: number
  readonly #aliveMs: number
  readonly #onError: (error: unknown) => void
  readonly #listeners = new Set<(leader: boolean) => void>()
  #client: Promise<Client> | undefined
  #leader = false
  /** Until when (performance.now()) this replica may act as leader without another renewal. */
  #validUntil = 0
  #term = 0
  #timer: NodeJS.Timeout | undefined
  #expiry: NodeJS.Timeout | undefined
  #running = false
  /** The heartbeat in flight, which stop() lets finish before giving the lease up. */
  #beating: Promise<void> | undefined

  constructor(options: PgLeaderLeaseOptions) {
    this.replicaId = options.replicaId ?? newReplicaId()
    this.#url = options.url
    this.#schema = options.schema
    this.#name = options.name ?? 'leader'
    this.#ttlMs = options.ttlMs ?? 3000
    this.#renewMs = options.renewMs ?? 1000
    this.#aliveMs = options.aliveMs ?? this.#ttlMs
    this.#onError = options.onError ?? (() => undefined)
    if (!(this.#renewMs > 0 && this.#renewMs < this.#ttlMs))
      throw new Error(`the lease's renewMs (${this.#renewMs}) must be above 0 and below its ttlMs (${this.#ttlMs})`)
    pgConnectionConfig(this.#url, this.#schema, 'lease') // checks the URL and schema now, not at start()
  }

  isLeader(): boolean {
    return this.#leader && performance.now() < this.#validUntil
  }

  /** The lease's term while leader (it grows with every change of holder), else 0. For logs. */
  get term(): number {
    return this.isLeader() ? this.#term : 0
  }

  onChange(listener: (leader: boolean) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async alive(): Promise<string[]> {
    if (!this.#running) throw new Error('the leader lease is not started')
    const client = await this.#connect()
    const { rows } = await client.query<{ id: string }>(
      `SELECT id FROM replicas WHERE seen_at > ${DB_NOW} - $1 ORDER BY id`,
      [this.#aliveMs],
    )
    return rows.map((row) => row.id)
  }

  async start(): Promise<void> {
    if (this.#running) return
    const connection = this.#connect()
    try {
      await migratePg(await connection, this.#schema)
    } catch (error) {
      this.#drop(connection)
      throw error
    }
    this.#running = true
    await this.#tick(true)
  }

  async stop(): Promise<void> {
    if (!this.#running) return
    this.#running = false
    clearTimeout(this.#timer)
    this.#set(false)
    // A heartbeat queued after the release would take the lease straight back.
    await this.#beating
    const pending = this.#client
    this.#client = undefined
    if (!pending) return
    try {
      const client = await pending
      // Give the lease up and leave the alive set, so nobody waits for either to run out.
      await client.query(`UPDATE leader_lease SET expires_at = ${DB_NOW} WHERE name = $1 AND holder = $2`, [
        this.#name,
        this.replicaId,
      ])
      await client.query('DELETE FROM replicas WHERE id = $1', [this.replicaId])
    } catch (error) {
      this.#onError(error)
    } finally {
      await pending.then((client) => client.end()).catch(() => undefined)
    }
  }

  /** One heartbeat; `first` rethrows a failure (start() must say the database is unreachable). */
  async #tick(first = false): Promise<void> {
    const sentAt = performance.now()
    const connection = this.#connect()
    try {
      const client = await connection
      const { rows } = await client.query<{ term: string | null }>(TICK, [this.replicaId, this.#name, this.#ttlMs])
      if (!this.#running) return
      const term = rows[0]?.term
      // A renewal that came back after the lease may already have run out proves nothing.
      const validUntil = sentAt + this.#ttlMs
      if (term === null || term === undefined || performance.now() >= validUntil) {
        this.#set(false)
      } else {
        this.#term = toNumber(term)
        this.#validUntil = validUntil
        this.#armExpiry()
        this.#set(true)
      }
    } catch (error) {
      this.#drop(connection)
      if (first) {
        this.#running = false
        throw error
      }
      if (!this.#running) return
      this.#onError(error)
      // Still leader until the lease may have run out: #armExpiry's timer steps down then.
    }
    if (this.#running)
      this.#timer = setTimeout(() => {
        this.#beating = this.#tick()
      }, this.#renewMs)
  }

  /** Steps down when the lease may have run out, even if a renewal is stuck in flight. */
  #armExpiry(): void {
    clearTimeout(this.#expiry)
    this.#expiry = setTimeout(
      () => {
        if (performance.now() >= this.#validUntil) this.#set(false)
      },
      Math.max(0, this.#validUntil - performance.now()) + 1,
    )
  }

  #set(leader: boolean): void {
    if (!leader) clearTimeout(this.#expiry)
    if (this.#leader === leader) return
    this.#leader = leader
    for (const listener of [...this.#listeners]) {
      try {
        listener(leader)
      } catch (error) {
        this.#onError(error)
      }
    }
  }

  #connect(): Promise<Client> {
    if (!this.#client) {
      const client = new Client({
        // The replica in the name, so pg_stat_activity shows whose heartbeat each connection is.
        ...pgConnectionConfig(this.#url, this.#schema, `lease ${this.replicaId}`),
        connectionTimeoutMillis: this.#ttlMs,
        // A heartbeat slower than the lease is as good as none: fail it and reconnect.
        query_timeout: this.#ttlMs,
      })
      const connecting = client.connect().then(() => client)
      client.on('error', (error) => {
        this.#onError(error)
        this.#drop(connecting)
      })
      connecting.catch(() => this.#drop(connecting))
      this.#client = connecting
    }
    return this.#client
  }

  /** Forgets a broken connection, if it is still the current one (the next tick opens another). */
  #drop(connection: Promise<Client> | undefined): void {
    if (!connection || connection !== this.#client) return
    this.#client = undefined
    connection.then((client) => client.end()).catch(() => undefined)
  }
}
