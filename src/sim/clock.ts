/**
 * The simulator's notion of time. Boot delays, task progress and the xscontainer monitor's
 * 120-second rule run on it, so the demo can run faster than real time and tests can advance it
 * by hand instead of sleeping for real minutes.
 */
export interface SimClock {
  /** Milliseconds since the epoch, in simulated time. */
  now(): number
  /** Runs `fn` after `ms` of simulated time; returns a cancel function. */
  setTimer(ms: number, fn: () => void): () => void
  /** Resolves after `ms` of simulated time. */
  sleep(ms: number): Promise<void>
}

/** Real time, optionally sped up: `speed: 10` makes a 30 s boot take 3 s. */
export class RealClock implements SimClock {
  readonly #speed: number
  readonly #realStart = Date.now()

  constructor(speed = 1) {
    if (!(speed > 0)) throw new RangeError(`clock speed must be > 0, got ${speed}`)
    this.#speed = speed
  }

  now(): number {
    return this.#realStart + (Date.now() - this.#realStart) * this.#speed
  }

  setTimer(ms: number, fn: () => void): () => void {
    const t = setTimeout(fn, Math.max(0, ms / this.#speed))
    // A pending simulated timer must never keep a finished test or CLI process alive.
    t.unref()
    return () => clearTimeout(t)
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve))
  }
}

interface PendingTimer {
  due: number
  seq: number
  fn: () => void
}

/** Time that moves only when a test calls `advance`. */
export class ManualClock implements SimClock {
  #now: number
  #seq = 0
  #timers: PendingTimer[] = []

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer = { due: this.#now + Math.max(0, ms), seq: this.#seq++, fn }
    this.#timers.push(timer)
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer)
    }
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve))
  }

  /** Number of timers still waiting: lets a test check that work is scheduled. */
  get pending(): number {
    return this.#timers.length
  }

  /**
   * Moves time forward by `ms`, firing due timers in order. Between timers it yields to the event
   * loop so that work a timer starts (a sleeping task continuing, a new timer) runs inside the window.
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve))
      const next = this.#timers.filter((t) => t.due <= end).sort((a, b) => a.due - b.due || a.seq - b.seq)[0]
      if (!next) break
      this.#timers = this.#timers.filter((t) => t !== next)
      this.#now = Math.max(this.#now, next.due)
      next.fn()
    }
    this.#now = end
    await new Promise((resolve) => setImmediate(resolve))
  }
}
