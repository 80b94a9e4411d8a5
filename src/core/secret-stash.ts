/**
 * One-time secrets typed into forms (the password `/docker enable` uses once to install a key) are
 * held here, in memory only, and handed to the command as an opaque handle: the handle is what flows
 * through args, approvals, jobs, logs and the audit chain, so the value never reaches a sink. A value
 * is read once and then forgotten; unread values expire. A restart forgets them all, on purpose.
 */
import { randomUUID } from 'node:crypto'
import { rememberSecret } from '../redact-secrets.js'

const PREFIX = 'secret:'

export const isSecretHandle = (value: unknown): value is string => typeof value === 'string' && value.startsWith(PREFIX)

export class SecretStash {
  readonly #values = new Map<string, { readonly value: string; readonly expiresAt: number }>()
  readonly #ttlMs: number
  readonly #now: () => number

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.#ttlMs = ttlMs
    this.#now = now
  }

  /** Stores `value` and returns its handle. */
  put(value: string): string {
    this.#sweep()
    const handle = `${PREFIX}${randomUUID()}`
    this.#values.set(handle, { value, expiresAt: this.#now() + this.#ttlMs })
    // Every sink scrubs it while it may be in use (read once, then used by the job for a while).
    rememberSecret(value, 2 * this.#ttlMs)
    return handle
  }

  /** The value once; undefined when it was already read, expired, or never held by this process. */
  take(handle: string): string | undefined {
    const entry = this.#values.get(handle)
    this.#values.delete(handle)
    if (!entry || entry.expiresAt <= this.#now()) return undefined
    return entry.value
  }

  get size(): number {
    this.#sweep()
    return this.#values.size
  }

  #sweep(): void {
    const now = this.#now()
    for (const [handle, entry] of this.#values) if (entry.expiresAt <= now) this.#values.delete(handle)
  }
}
