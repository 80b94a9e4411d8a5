/**
 * At most N calls at once, the rest queued in order: Node's http.Agent does not enforce maxSockets when
 * sockets are created asynchronously, so the cap on a VM's SSH channels lives here (docker-over-ssh.md
 * §3.2 detail 3).
 */
export class Limiter {
  readonly #max: number
  #running = 0
  readonly #waiting: (() => void)[] = []

  constructor(max: number) {
    this.#max = Math.max(1, max)
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#max) await new Promise<void>((resolve) => this.#waiting.push(resolve))
    this.#running++
    try {
      return await fn()
    } finally {
      this.#running--
      this.#waiting.shift()?.()
    }
  }
}
