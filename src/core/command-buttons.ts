/**
 * Buttons that run a command line when pressed: the `docker ps` button under a new VM, the clean-up
 * button under a failed build. The line stays on the server and the button carries an opaque token, so
 * nothing the client sends back can change what runs. Whoever presses runs the line as themselves:
 * access, approvals and audit apply as if they had typed it. Held in memory; a restart forgets them
 * (the line can still be typed), and unpressed buttons expire.
 */
import { newToken } from './confirmations.js'
import type { PressContext, PressHandler } from './press-handler.js'
import type { Reply } from './reply.js'

export class CommandButtons implements PressHandler {
  readonly #lines = new Map<string, { readonly line: string; readonly expiresAt: number }>()
  readonly #ttlMs: number
  readonly #now: () => number

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.#ttlMs = ttlMs
    this.#now = now
  }

  /** Stores `line` (`/docker ps <uuid>`) and returns the token of its button. */
  create(line: string): string {
    this.#sweep()
    // A `b` prefix keeps these apart from confirmation tokens and approval votes at a glance.
    const token = `b${newToken(9)}`
    this.#lines.set(token, { line, expiresAt: this.#now() + this.#ttlMs })
    return token
  }

  /** The line behind a token; a button may be pressed more than once until it expires. */
  get(token: string): string | undefined {
    this.#sweep()
    return this.#lines.get(token)?.line
  }

  /** A press runs the button's line as the presser, through the whole command flow. */
  press(token: string, ctx: PressContext): Promise<Reply> | undefined {
    const line = this.get(token)
    return line === undefined ? undefined : ctx.run(line)
  }

  #sweep(): void {
    const now = this.#now()
    for (const [token, entry] of this.#lines) if (entry.expiresAt <= now) this.#lines.delete(token)
  }
}
