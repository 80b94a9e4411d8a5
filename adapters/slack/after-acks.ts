/**
 * Where the adapter's post-ack work waits its turn. Each piece of work starts on its own turn of the
 * event loop (setImmediate), so envelopes already received are read and acknowledged between two
 * pieces: a burst of 200 slash commands is acked before its work runs, not behind it. Without this the
 * acks of a burst's later envelopes waited for the dispatch of its earlier ones (the slack-ack
 * benchmark, tests/bench/slack-ack.bench.ts, measured p99 several times a bare bolt app's). Only the
 * start is queued: once a piece awaits I/O, it interleaves with the others as usual.
 */
export class AfterAcks {
  readonly #queue: (() => void)[] = []
  #scheduled = false

  run(work: () => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push(() => void work().then(resolve, reject))
      this.#schedule()
    })
  }

  #schedule(): void {
    if (this.#scheduled || this.#queue.length === 0) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      this.#queue.shift()?.()
      this.#schedule()
    })
  }
}
