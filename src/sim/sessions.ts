/**
 * Sessions of one simulated pool. They live as `session` records in the object store (so
 * `session.get_record` works and a logout is an event that wakes pending `event.from` calls).
 */
import type { ObjectStore } from './object-store.js'
import { fault } from './xapi-fault.js'
import { toXapiDate } from './xapi-time.js'

export interface Credentials {
  readonly username: string
  readonly password: string
}

export class SessionManager {
  readonly #store: ObjectStore
  readonly #credentials: Credentials
  readonly #now: () => number
  readonly #hostRef: () => string

  constructor(store: ObjectStore, credentials: Credentials, now: () => number, hostRef: () => string) {
    this.#store = store
    this.#credentials = credentials
    this.#now = now
    this.#hostRef = hostRef
  }

  login(username: string, password: string, originator = ''): string {
    if (username !== this.#credentials.username || password !== this.#credentials.password) {
      // Real xapi raises it with two parameters although the datamodel lists none.
      throw fault('SESSION_AUTHENTICATION_FAILED', username, 'Authentication failure')
    }
    const now = toXapiDate(this.#now())
    return this.#store.create('session', {
      this_host: this.#hostRef(),
      last_active: now,
      validation_time: now,
      pool: false,
      is_local_superuser: true,
      auth_user_name: username,
      originator,
    })
  }

  isValid(ref: unknown): boolean {
    return this.#store.has('session', ref)
  }

  assertValid(ref: unknown): void {
    if (!this.isValid(ref)) throw fault('SESSION_INVALID', String(ref))
  }

  logout(ref: string): void {
    if (this.isValid(ref)) this.#store.destroy('session', ref)
  }

  /** The "drop all sessions" fault, and the first step of a clean shutdown. */
  dropAll(): number {
    const refs = this.#store.refs('session')
    for (const ref of refs) this.#store.destroy('session', ref)
    return refs.length
  }
}
