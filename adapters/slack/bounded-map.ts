/**
 * A map that forgets: entries expire after `ttlMs`, and the oldest go first beyond `capacity`. The
 * adapter's memory (open forms, paginated replies, live messages) must not grow with the bot's uptime.
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, { readonly value: V; readonly expiresAt: number }>()
  readonly #capacity: number
  readonly #ttlMs: number
  readonly #now: () => number

  constructor(options: { capacity: number; ttlMs: number; now?: (() => number) | undefined }) {
    this.#capacity = options.capacity
    this.#ttlMs = options.ttlMs
    this.#now = options.now ?? Date.now
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key)
      return undefined
    }
    return entry.value
  }

  set(key: K, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, { value, expiresAt: this.#now() + this.#ttlMs })
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next()
      if (oldest.done) break
      this.#entries.delete(oldest.value)
    }
  }

  delete(key: K): void {
    this.#entries.delete(key)
  }
}
