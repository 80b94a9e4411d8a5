/**
 * Live cards are one message edited in place; platforms rate-limit edits (Slack's chat.update is
 * Tier 3), so updates are coalesced to at most one per interval per card, and the final state is
 * always delivered — never dropped behind a pending trailing edit.
 */
import type { StatusCard } from './reply.js'
import type { CardRef } from './store-ports.js'

/**
 * Shows a card; `where`, when the adapter can tell, names the message the card is shown in once it has
 * been posted (stored with a job, so another replica can close the card).
 */
export type StatusSink = ((card: StatusCard) => Promise<void>) & {
  readonly where?: (() => CardRef | undefined) | undefined
}

/**
 * A sink that shows cards its own way over `sink` and says `sink`'s `where`: every wrapper of a sink is
 * made with it, so none loses the address a job keeps (a dropped `where` meant no dead replica's card
 * was ever closed).
 */
export function wrapStatus(sink: StatusSink, show: (card: StatusCard) => Promise<void>): StatusSink {
  return Object.assign(show, { where: sink.where })
}

export function coalesceStatus(sink: StatusSink, intervalMs = 1_000, now: () => number = Date.now): StatusSink {
  let lastSent = Number.NEGATIVE_INFINITY
  let pending: StatusCard | undefined
  let timer: NodeJS.Timeout | undefined
  let chain: Promise<void> = Promise.resolve()
  const send = (card: StatusCard) => {
    lastSent = now()
    chain = chain.then(() => sink(card)).catch(() => undefined)
    return chain
  }
  const coalesced = (card: StatusCard) => {
    const final = card.state !== 'running'
    if (final || now() - lastSent >= intervalMs) {
      clearTimeout(timer)
      timer = undefined
      pending = undefined
      return send(card)
    }
    pending = card
    if (!timer) {
      timer = setTimeout(
        () => {
          timer = undefined
          if (pending) void send(pending)
          pending = undefined
        },
        Math.max(0, intervalMs - (now() - lastSent)),
      )
      timer.unref()
    }
    return chain
  }
  return wrapStatus(sink, coalesced)
}
