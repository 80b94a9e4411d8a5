/**
 * The forms this adapter has shown, by the core's form token: a modal can only be opened as the first
 * answer to an interaction, so "fix and resubmit" and "continue" buttons reopen a form from here, and
 * the values of earlier pages of a long form wait here for the last page. Only the user the form was
 * shown to may use it (the dispatcher checks again on submission). Memory only, with the core's form
 * lifetime; values are dropped once the dispatcher accepts the submission (a rejected one keeps them,
 * so fixing one page of a long form does not lose the others).
 */
import type { Form } from '../../src/core/reply.js'

interface Entry {
  form: Form
  /** Values of pages submitted so far (secrets included until the submission: memory only, minutes). */
  values: Record<string, string>
  readonly userId: string
  expiresAt: number
}

export class FormCache {
  readonly #entries = new Map<string, Entry>()
  readonly #ttlMs: number
  readonly #now: () => number

  constructor(ttlMs: number, now: () => number) {
    this.#ttlMs = ttlMs
    this.#now = now
  }

  /** Remembers (or replaces, keeping earlier page values) the form shown to `userId`. */
  remember(form: Form, userId: string): void {
    this.#sweep()
    const previous = this.#entries.get(form.token)
    this.#entries.set(form.token, {
      form,
      values: previous?.userId === userId ? previous.values : {},
      userId,
      expiresAt: this.#now() + this.#ttlMs,
    })
  }

  /** The form, when it is still held and was shown to `userId`. */
  get(token: string, userId: string): { form: Form; values: Readonly<Record<string, string>> } | undefined {
    const entry = this.#entries.get(token)
    if (!entry || entry.expiresAt <= this.#now() || entry.userId !== userId) return undefined
    return { form: entry.form, values: entry.values }
  }

  /** Adds one page's values; returns every value given so far. */
  addValues(token: string, userId: string, values: Readonly<Record<string, string>>): Record<string, string> {
    const entry = this.#entries.get(token)
    if (!entry || entry.userId !== userId) return { ...values }
    entry.values = { ...entry.values, ...values }
    return { ...entry.values }
  }

  /** Forgets the values (the submission was accepted). */
  clearValues(token: string): void {
    const entry = this.#entries.get(token)
    if (entry) entry.values = {}
  }

  #sweep(): void {
    const now = this.#now()
    for (const [token, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(token)
  }
}
