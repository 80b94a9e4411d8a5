/**
 * Run-time fault injection for one simulated pool. Scenarios set the initial faults; tests change
 * them through this object. Latency and hangs are in real milliseconds: they exist to exercise the
 * bot's own client-side timeouts, which run on real time.
 */
export interface FaultSpec {
  /** Extra delay per method (`VM.start`, or `*` for every call), in real ms. */
  latency?: Record<string, number> | undefined
  /** Methods that never answer until released or the simulator closes. */
  hang?: string[] | undefined
  /** Destroy the connection of the next N requests without answering. */
  resetConnections?: number | undefined
  /** The next task of a kind (`VM.start`) fails with this error description. */
  failNextTask?: Record<string, string[]> | undefined
  /** The next `event.from` answers EVENTS_LOST. */
  eventsLost?: boolean | undefined
  /**
   * The next N calls of a method (`host.call_plugin`) run to the end, then their connection is destroyed
   * before the answer is written: the call took effect, and the client cannot know it.
   */
  dropAnswers?: Record<string, number> | undefined
}

export class FaultController {
  readonly latency = new Map<string, number>()
  readonly #hung = new Map<string, Set<() => void>>()
  readonly #hangMethods = new Set<string>()
  readonly #failNextTask = new Map<string, string[]>()
  readonly #dropAnswers = new Map<string, number>()
  resetConnections = 0
  eventsLost = false

  apply(spec: FaultSpec): void {
    for (const [method, ms] of Object.entries(spec.latency ?? {})) this.latency.set(method, ms)
    for (const method of spec.hang ?? []) this.hang(method)
    for (const [kind, error] of Object.entries(spec.failNextTask ?? {})) this.failNextTask(kind, error)
    this.resetConnections += spec.resetConnections ?? 0
    for (const [method, count] of Object.entries(spec.dropAnswers ?? {})) this.dropAnswers(method, count)
    if (spec.eventsLost) this.eventsLost = true
  }

  hang(method: string): void {
    this.#hangMethods.add(method)
  }

  /** Stops hanging `method` (or every method) and lets the held calls proceed. */
  release(method?: string): void {
    for (const m of method ? [method] : [...this.#hangMethods]) {
      this.#hangMethods.delete(m)
      for (const resume of this.#hung.get(m) ?? []) resume()
      this.#hung.delete(m)
    }
  }

  failNextTask(kind: string, errorDescription: string[]): void {
    this.#failNextTask.set(kind, errorDescription)
  }

  /** Consumes the pending task failure for `kind`, if any. */
  takeTaskFailure(kind: string): string[] | undefined {
    const error = this.#failNextTask.get(kind)
    this.#failNextTask.delete(kind)
    return error
  }

  takeEventsLost(): boolean {
    const lost = this.eventsLost
    this.eventsLost = false
    return lost
  }

  /** The next `count` calls of `method` run, and their answers are lost with the connection. */
  dropAnswers(method: string, count = 1): void {
    this.#dropAnswers.set(method, (this.#dropAnswers.get(method) ?? 0) + count)
  }

  /** Consumes one pending answer drop for `method`, if any. */
  takeDroppedAnswer(method: string): boolean {
    const left = this.#dropAnswers.get(method) ?? 0
    if (left <= 0) return false
    if (left === 1) this.#dropAnswers.delete(method)
    else this.#dropAnswers.set(method, left - 1)
    return true
  }

  takeConnectionReset(): boolean {
    if (this.resetConnections <= 0) return false
    this.resetConnections--
    return true
  }

  /** Applies latency and hangs before a call runs. */
  async beforeCall(method: string): Promise<void> {
    const delay = this.latency.get(method) ?? this.latency.get('*') ?? 0
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay))
    const held = this.#hangMethods.has(method) ? method : this.#hangMethods.has('*') ? '*' : undefined
    if (held) {
      await new Promise<void>((resolve) => {
        const set = this.#hung.get(held) ?? new Set()
        set.add(resolve)
        this.#hung.set(held, set)
      })
    }
  }
}
