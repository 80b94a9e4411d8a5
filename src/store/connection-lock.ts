/**
 * One SQLite connection, one caller at a time, across awaits. better-sqlite3 runs each statement at once,
 * but a transaction whose body awaits (the AlertStore's `atomically`) stays open across microtasks, and
 * every statement run on the connection meanwhile — by any other async chain — would join it: it would
 * commit or roll back with a transaction it knows nothing about. So whoever uses the connection while a
 * transaction may be open takes its turn here: sections run one after another, in call order.
 *
 * The stores that share a connection share one lock to be safe from each other; a store given none makes
 * its own (then only its own calls wait for its transactions).
 */
export class ConnectionLock {
  #tail: Promise<unknown> = Promise.resolve()
  /** Sections running or waiting; while it is 0, a section starts at once (no extra turn of the loop). */
  #held = 0

  /**
   * Runs `section` once every section before it has ended, and holds the lock until the promise it
   * returns settles (a plain value releases it at once). A section must not wait for a later one: a
   * transaction's body uses its own `tx`, never the store it came from.
   */
  run<T>(section: () => T | Promise<T>): Promise<T> {
    if (this.#held === 0) {
      this.#held++
      let out: T | Promise<T>
      try {
        out = section()
      } catch (error) {
        this.#held--
        return Promise.reject(error)
      }
      if (!(out instanceof Promise)) {
        this.#held--
        return Promise.resolve(out)
      }
      return this.#holdUntil(out)
    }
    this.#held++
    return this.#holdUntil(this.#tail.then(section))
  }

  /** Whether nothing runs or waits (a test's check that a section ended). */
  get idle(): boolean {
    return this.#held === 0
  }

  #holdUntil<T>(done: Promise<T>): Promise<T> {
    const release = () => {
      this.#held--
    }
    // Registered before the caller's own continuation, so that continuation already finds the lock free.
    this.#tail = done.then(release, release)
    return done
  }
}
