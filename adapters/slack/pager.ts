/**
 * Paginated replies: a reply too long for one message is kept here under a short random id that its
 * Prev / Next buttons carry, so a page press renders the next page of exactly what was shown. A day
 * later (or after a restart) the buttons say the list has expired.
 */
import { randomBytes } from 'node:crypto'
import type { Reply } from '../../src/core/reply.js'
import { BoundedMap } from './bounded-map.js'

export class Pager {
  readonly #replies: BoundedMap<string, Reply>

  constructor(options: { capacity?: number; ttlMs?: number; now?: (() => number) | undefined } = {}) {
    this.#replies = new BoundedMap({
      capacity: options.capacity ?? 500,
      ttlMs: options.ttlMs ?? 24 * 60 * 60_000,
      now: options.now,
    })
  }

  keep(reply: Reply): string {
    const id = randomBytes(6).toString('base64url')
    this.#replies.set(id, reply)
    return id
  }

  get(id: string): Reply | undefined {
    return this.#replies.get(id)
  }
}

/** `<pager id>:<page>` from a page button's value. */
export function parsePageValue(value: string): { pager: string; page: number } | undefined {
  const match = /^([A-Za-z0-9_-]{1,32}):(\d{1,4})$/.exec(value)
  return match ? { pager: match[1] as string, page: Number(match[2]) } : undefined
}
