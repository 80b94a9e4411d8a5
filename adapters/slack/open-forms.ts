/**
 * Forms the bot opened as modals, by form token: the form itself (to answer external selects, map
 * option indexes back and reopen it), whose it is, and where the command was typed — a view submission
 * carries no channel, and its answer must go back where the command was asked.
 */
import type { Form } from '../../src/core/reply.js'
import { BoundedMap } from './bounded-map.js'
import type { ResponseUrl } from './response-url.js'

export interface OpenForm {
  readonly form: Form
  readonly userId: string
  readonly channel: string
  readonly responseUrl?: ResponseUrl | undefined
}

export class OpenForms {
  // The core keeps a pending form 30 minutes; a little longer here so its own "expired" answer is what users see.
  readonly #forms: BoundedMap<string, OpenForm>

  constructor(options: { ttlMs?: number; now?: (() => number) | undefined } = {}) {
    this.#forms = new BoundedMap({ capacity: 1_000, ttlMs: options.ttlMs ?? 35 * 60_000, now: options.now })
  }

  remember(entry: OpenForm): void {
    this.#forms.set(entry.form.token, entry)
  }

  get(token: string): OpenForm | undefined {
    return this.#forms.get(token)
  }

  /** The form re-issued after a bad submission (values kept) replaces the one shown. */
  replace(form: Form): void {
    const entry = this.#forms.get(form.token)
    if (entry) this.#forms.set(form.token, { ...entry, form })
  }

  forget(token: string): void {
    this.#forms.delete(token)
  }
}
