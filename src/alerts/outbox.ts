/**
 * What one destination has yet to send, in the order it goes out: new alerts first (a few at most, see
 * QUEUE_LIMIT), then digests and edits in turn, so a long storm's digest edits cannot starve the edits
 * that say an alert resolved. An edit or a digest queued twice goes out once, as it reads then.
 */
export type Op = { readonly kind: 'post' | 'update' | 'digest'; readonly id: string }

export class Outbox {
  readonly #posts: string[] = []
  readonly #updates = new Set<string>()
  readonly #digests = new Set<string>()
  #turn = 0

  get posts(): number {
    return this.#posts.length
  }

  post(alertId: string): void {
    this.#posts.push(alertId)
  }

  /** Whether the alert's post waits here (then it goes out as the alert reads when its slot comes). */
  waits(alertId: string): boolean {
    return this.#posts.includes(alertId)
  }

  update(alertId: string): void {
    this.#updates.add(alertId)
  }

  digest(digestId: string): void {
    this.#digests.add(digestId)
  }

  hasDigest(digestId: string): boolean {
    return this.#digests.has(digestId)
  }

  peek(): Op | undefined {
    const post = this.#posts[0]
    if (post !== undefined) return { kind: 'post', id: post }
    const digest = this.#digests.values().next().value
    const update = this.#updates.values().next().value
    if (digest !== undefined && (update === undefined || this.#turn++ % 2 === 0)) return { kind: 'digest', id: digest }
    return update === undefined ? undefined : { kind: 'update', id: update }
  }

  take(op: Op): void {
    if (op.kind === 'post') this.#posts.shift()
    else if (op.kind === 'digest') this.#digests.delete(op.id)
    else this.#updates.delete(op.id)
  }

  /** A send that failed and will be retried: first in line again. */
  giveBack(op: Op): void {
    if (op.kind === 'post') this.#posts.unshift(op.id)
    else if (op.kind === 'digest') this.#digests.add(op.id)
    else this.#updates.add(op.id)
  }
}
