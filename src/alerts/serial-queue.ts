/**
 * Tasks one at a time, in the order they were queued: the next starts when the one before it has ended
 * (failed or not). The alert engine runs every signal through one, so a signal's reads and writes never
 * interleave with the next one's now that the store answers asynchronously.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve()

  /** Queues `task`; its promise is the task's (a failure is the caller's, and the queue goes on). */
  run<T>(task: () => Promise<T>): Promise<T> {
    const done = this.#tail.then(task)
    this.#tail = done.catch(() => undefined)
    return done
  }

  /** Resolves once every task queued so far, and every task those queued meanwhile, has ended. */
  async idle(): Promise<void> {
    for (let tail = this.#tail; ; tail = this.#tail) {
      await tail
      if (tail === this.#tail) return
    }
  }
}
