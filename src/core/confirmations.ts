/**
 * Short-lived confirmation tokens for destructive commands (hubot's CommandBus, XO MCP's
 * createConfirmation): the button carries only an opaque token; the command, its arguments and a
 * digest of its plan stay here, bound to the user who asked. Pressing re-plans and runs only if the
 * plan is unchanged, so a button cannot act on a different container than the one it showed.
 */
import { createHash, randomBytes } from 'node:crypto'
import { actions, context, privateReply, type Reply, text } from './reply.js'

export interface PendingConfirmation {
  readonly actorKey: string
  readonly actorName: string
  readonly path: string
  readonly args: Readonly<Record<string, unknown>>
  readonly planDigest: string
  readonly expiresAt: number
}

export const digestOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex')

/** Lower-case letters and digits without look-alikes, easy to type as `/press k3f9`. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'

export function newToken(length = 6): string {
  const bytes = randomBytes(length)
  return [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('')
}

export class ConfirmationStore {
  readonly #pending = new Map<string, PendingConfirmation & { readonly cancel: string }>()
  readonly #cancelTokens = new Map<string, string>()
  readonly #ttlMs: number
  readonly #now: () => number

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.#ttlMs = ttlMs
    this.#now = now
  }

  /** Stores a pending confirmation; returns its confirm and cancel tokens. */
  create(entry: Omit<PendingConfirmation, 'expiresAt'>): { confirm: string; cancel: string } {
    this.#sweep()
    const confirm = newToken()
    const cancel = newToken()
    this.#pending.set(confirm, { ...entry, expiresAt: this.#now() + this.#ttlMs, cancel })
    this.#cancelTokens.set(cancel, confirm)
    return { confirm, cancel }
  }

  /** Looks a token up: a confirm, a cancel, or nothing (unknown or expired). The caller deletes it once used. */
  take(token: string): { kind: 'confirm' | 'cancel'; entry: PendingConfirmation } | undefined {
    this.#sweep()
    const confirmToken = this.#pending.has(token) ? token : this.#cancelTokens.get(token)
    if (!confirmToken) return undefined
    const entry = this.#pending.get(confirmToken)
    if (!entry) return undefined
    return { kind: confirmToken === token ? 'confirm' : 'cancel', entry }
  }

  /** Removes a pending confirmation (after it ran or was cancelled). */
  delete(token: string): void {
    const confirmToken = this.#pending.has(token) ? token : this.#cancelTokens.get(token)
    if (!confirmToken) return
    const entry = this.#pending.get(confirmToken)
    this.#pending.delete(confirmToken)
    if (entry) this.#cancelTokens.delete(entry.cancel)
  }

  #sweep(): void {
    const now = this.#now()
    for (const [token, entry] of this.#pending) {
      if (entry.expiresAt <= now) this.delete(token)
    }
  }
}

/** Stores a pending confirmation bound to `plan` and answers with its Confirm / Cancel buttons. */
export function confirmationReply(
  store: ConfirmationStore,
  entry: Omit<PendingConfirmation, 'planDigest' | 'expiresAt'>,
  plan: { readonly summary?: string | undefined },
  ttlMs: number,
): Reply {
  const tokens = store.create({ ...entry, planDigest: digestOf(plan) })
  return privateReply(
    text(`Confirm: ${plan.summary ?? `/${entry.path}`}?`, 'warning'),
    actions({ token: tokens.confirm, label: 'Confirm', style: 'danger' }, { token: tokens.cancel, label: 'Cancel' }),
    context(`Only you can press these; they expire in ${Math.round(ttlMs / 60_000) || 1} minute(s).`),
  )
}
