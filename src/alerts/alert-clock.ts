/**
 * The alerts' notion of time, injectable: windows (restart loops, flapping, re-notification), holds,
 * quiet hours and the per-destination rate all run on it, so a test can put 10,000 container deaths
 * into ten seconds of simulated time without sleeping. The simulator's ManualClock fits this shape.
 */
export interface AlertClock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Runs `fn` after `ms`; returns a cancel function. */
  setTimer(ms: number, fn: () => void): () => void
}

/** Wall-clock time; its timers never keep the process alive on their own. */
export const systemClock: AlertClock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => {
    const timer = setTimeout(fn, Math.max(0, ms))
    timer.unref()
    return () => clearTimeout(timer)
  },
}
