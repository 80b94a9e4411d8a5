/**
 * The change log behind `event.from`: a generation counter, and for each object the generation at
 * which it was created, last modified and (maybe) deleted. Like xapi, a reader asks for "everything
 * newer than my token" and gets one coalesced event per object, so a burst of writes to one VM costs
 * a client one event.
 */
export type EventOperation = 'add' | 'mod' | 'del'

export interface ObjectChange {
  readonly cls: string
  readonly ref: string
  readonly createdGen: number
  readonly changedGen: number
  readonly deleted: boolean
  /** Simulated wall time of the last change, in ms. */
  readonly timestamp: number
}

/** Deleted objects are remembered this long (in generations) so late readers still see the `del`. */
const DELETION_HORIZON = 50_000

export class EventLog {
  #gen = 0
  /** Insertion order is kept equal to change order: an object is re-inserted on every change. */
  readonly #changes = new Map<string, ObjectChange>()
  #forgottenBefore = 0
  readonly #listeners = new Set<() => void>()
  readonly #now: () => number

  constructor(now: () => number) {
    this.#now = now
  }

  get generation(): number {
    return this.#gen
  }

  /** The oldest token generation that can still be served without EVENTS_LOST. */
  get horizon(): number {
    return this.#forgottenBefore
  }

  record(cls: string, ref: string, op: EventOperation): void {
    const gen = ++this.#gen
    const prev = this.#changes.get(ref)
    this.#changes.delete(ref)
    this.#changes.set(ref, {
      cls,
      ref,
      createdGen: op === 'add' || !prev ? gen : prev.createdGen,
      changedGen: gen,
      deleted: op === 'del',
      timestamp: this.#now(),
    })
    if (op === 'del') this.#prune()
    for (const listener of [...this.#listeners]) listener()
  }

  /** Changes newer than `since`, oldest first, one per object. */
  *changesSince(since: number): Generator<ObjectChange & { op: EventOperation }> {
    for (const change of this.#changes.values()) {
      if (change.changedGen <= since) continue
      // xapi (xapi_event.ml, fold_over_deleted) skips an object created and destroyed since the
      // token: the reader never saw it, so there is nothing to delete. A `del` is only for objects
      // that existed at the token; an empty token (0) therefore never yields `del`.
      if (change.deleted && change.createdGen > since) continue
      const op: EventOperation = change.deleted ? 'del' : change.createdGen > since ? 'add' : 'mod'
      yield { ...change, op }
    }
  }

  /** Calls `listener` after every change until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Forgets deleted objects that are far behind; readers older than that get EVENTS_LOST. */
  #prune(): void {
    const limit = this.#gen - DELETION_HORIZON
    if (limit <= this.#forgottenBefore) return
    for (const [ref, change] of this.#changes) {
      if (change.changedGen > limit) break
      if (change.deleted) this.#changes.delete(ref)
    }
    this.#forgottenBefore = limit
  }
}
