/**
 * The AlertStore port on SQLite (issue #11): the statements of sqlite-alert-statements.ts behind the
 * asynchronous port, and its transactions. `atomically` runs BEGIN IMMEDIATE, awaits its body, then
 * COMMIT — or ROLLBACK when the body throws — so a signal's writes land together or not at all, and a
 * storm's thousands of writes stay in one transaction each as they did when the port was synchronous.
 *
 * A transaction on one connection is open across its body's awaits, and better-sqlite3 gives the
 * connection no notion of who runs a statement: anything run on it meanwhile joins the transaction. So
 * the store's calls and transactions take turns on a ConnectionLock (a second `atomically` waits for the
 * first; a plain call waits for the transaction open at the time), and the body works through `tx`: a
 * view of the same statements that runs them at once, inside the transaction, without taking the lock
 * it is holding. (For SQLite the view could be the store itself only if nothing else ever used the
 * store meanwhile; PostgreSQL's view is a pooled client's.) The view refuses calls once its
 * transaction has ended, so a caller that kept it cannot write outside any transaction by mistake.
 */
import type { Database, Statement } from 'better-sqlite3'
import type { AlertDestinationKey, AlertPost, AlertRecord, AlertStore, DigestRecord } from '../alerts/alert-types.js'
import { ConnectionLock } from './connection-lock.js'
import { AlertStatements, type SyncAlertStore } from './sqlite-alert-statements.js'

type Run = <T>(op: () => T) => Promise<T>
type Atomically = <T>(fn: (tx: AlertStore) => Promise<T>) => Promise<T>

/** The port over the synchronous statements; how a call runs (its turn, or at once) is `run`'s. */
class AlertStoreView implements AlertStore {
  readonly #sql: SyncAlertStore
  readonly #run: Run
  readonly #atomically: Atomically

  constructor(sql: SyncAlertStore, run: Run, atomically: Atomically) {
    this.#sql = sql
    this.#run = run
    this.#atomically = atomically
  }

  atomically<T>(fn: (tx: AlertStore) => Promise<T>): Promise<T> {
    return this.#atomically(fn)
  }

  create(record: AlertRecord, destinations: readonly AlertDestinationKey[]): Promise<AlertRecord> {
    return this.#run(() => this.#sql.create(record, destinations))
  }

  get(id: string): Promise<AlertRecord | undefined> {
    return this.#run(() => this.#sql.get(id))
  }

  live(key: string): Promise<AlertRecord | undefined> {
    return this.#run(() => this.#sql.live(key))
  }

  latest(key: string): Promise<AlertRecord | undefined> {
    return this.#run(() => this.#sql.latest(key))
  }

  unresolved(): Promise<AlertRecord[]> {
    return this.#run(() => this.#sql.unresolved())
  }

  update(id: string, patch: Partial<Omit<AlertRecord, 'id' | 'key' | 'kind' | 'firstAt'>>): Promise<AlertRecord> {
    return this.#run(() => this.#sql.update(id, patch))
  }

  acknowledge(id: string, by: string, at: number): Promise<AlertRecord | undefined> {
    return this.#run(() => this.#sql.acknowledge(id, by, at))
  }

  claimRestart(id: string, by: string, at: number): Promise<boolean> {
    return this.#run(() => this.#sql.claimRestart(id, by, at))
  }

  mute(key: string, until: number, by: string): Promise<void> {
    return this.#run(() => this.#sql.mute(key, until, by))
  }

  muted(key: string, now: number): Promise<{ readonly until: number; readonly by: string } | undefined> {
    return this.#run(() => this.#sql.muted(key, now))
  }

  posts(alertId: string): Promise<AlertPost[]> {
    return this.#run(() => this.#sql.posts(alertId))
  }

  pendingPosts(): Promise<AlertPost[]> {
    return this.#run(() => this.#sql.pendingPosts())
  }

  setPost(post: AlertPost): Promise<void> {
    return this.#run(() => this.#sql.setPost(post))
  }

  digest(id: string): Promise<DigestRecord | undefined> {
    return this.#run(() => this.#sql.digest(id))
  }

  openDigest(destination: AlertDestinationKey, reason: DigestRecord['reason']): Promise<DigestRecord | undefined> {
    return this.#run(() => this.#sql.openDigest(destination, reason))
  }

  saveDigest(digest: DigestRecord): Promise<void> {
    return this.#run(() => this.#sql.saveDigest(digest))
  }

  prune(before: number): Promise<number> {
    return this.#run(() => this.#sql.prune(before))
  }

  digestAlerts(digestId: string): Promise<{ readonly total: number; readonly unresolved: number }> {
    return this.#run(() => this.#sql.digestAlerts(digestId))
  }
}

/** Runs `op` now, as a promise (a throw becomes a rejection, as from the asynchronous port). */
function now<T>(op: () => T): Promise<T> {
  try {
    return Promise.resolve(op())
  } catch (error) {
    return Promise.reject(error)
  }
}

export class SqliteAlertStore extends AlertStoreView {
  /** `lock`: the one the connection's other stores take, if they share it (see ConnectionLock). */
  constructor(db: Database, lock = new ConnectionLock()) {
    const sql = new AlertStatements(db)
    const control = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
    }
    super(
      sql,
      (op) => lock.run(op),
      (fn) => lock.run(() => transaction(db, control, sql, fn)),
    )
  }
}

interface Control {
  readonly begin: Statement
  readonly commit: Statement
  readonly rollback: Statement
}

/** One transaction, run while the caller holds the lock. */
async function transaction<T>(
  db: Database,
  control: Control,
  sql: SyncAlertStore,
  fn: (tx: AlertStore) => Promise<T>,
): Promise<T> {
  let open = true
  const over = () => Promise.reject(new Error('this alert store transaction has ended'))
  const tx: AlertStore = new AlertStoreView(
    sql,
    (op) => (open ? now(op) : over()),
    // Nested: the inner body joins this transaction (it commits or rolls back with it).
    (inner) => (open ? inner(tx) : over()),
  )
  control.begin.run()
  try {
    const result = await fn(tx)
    control.commit.run()
    return result
  } catch (error) {
    // A failed COMMIT leaves the transaction open; some errors make SQLite roll it back on its own.
    if (db.inTransaction) control.rollback.run()
    throw error
  } finally {
    open = false
  }
}
