/**
 * Editing a card by where it is shown (issue #15): each chat adapter registers how to edit one of its
 * messages, so that a replica that did not post a card — the leader closing the card of a job whose
 * replica died — can still change it. A platform nobody registered (not connected on this replica) is
 * skipped: the job's stored state is the truth, and `/xen jobs` shows it.
 */
import type { StatusCard } from './reply.js'
import type { CardRef } from './store-ports.js'

export type CardEditor = (ref: CardRef, card: StatusCard) => Promise<void>

export class CardEditors {
  readonly #editors = new Map<string, CardEditor>()

  register(platform: string, editor: CardEditor): void {
    this.#editors.set(platform, editor)
  }

  /** Edits the card; false when no editor for its platform is registered here. Errors propagate. */
  async edit(ref: CardRef, card: StatusCard): Promise<boolean> {
    const editor = this.#editors.get(ref.platform)
    if (!editor) return false
    await editor(ref, card)
    return true
  }
}
