/**
 * Forms the bot has opened and not yet received: the token a modal carries back points here, so a
 * submission is trusted only for what the server recorded — who may submit it, for which command, with
 * which values already given. Held in memory with an expiry (a modal left open past it must be opened
 * again); a submission that succeeds consumes its form.
 */
import { newToken } from './confirmations.js'
import type { FormSpec } from './reply.js'

export interface PendingForm {
  readonly actorKey: string
  readonly actorName: string
  readonly path: string
  /** Arguments typed with the command (`/coreos create name=web-3`), kept under the form's values. */
  readonly given: Readonly<Record<string, unknown>>
  readonly spec: FormSpec
  readonly expiresAt: number
}

export class PendingForms {
  readonly #forms = new Map<string, PendingForm>()
  readonly #ttlMs: number
  readonly #now: () => number

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.#ttlMs = ttlMs
    this.#now = now
  }

  get ttlMs(): number {
    return this.#ttlMs
  }

  create(entry: Omit<PendingForm, 'expiresAt'>): string {
    const now = this.#now()
    for (const [token, form] of this.#forms) if (form.expiresAt <= now) this.#forms.delete(token)
    // Short enough to type in the terminal and fit a Discord custom id; about 59 bits, unguessable.
    const token = newToken(12)
    this.#forms.set(token, { ...entry, expiresAt: now + this.#ttlMs })
    return token
  }

  get(token: string): PendingForm | undefined {
    const form = this.#forms.get(token)
    if (form && form.expiresAt <= this.#now()) {
      this.#forms.delete(token)
      return undefined
    }
    return form
  }

  delete(token: string): void {
    this.#forms.delete(token)
  }
}
