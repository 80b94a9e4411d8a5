/**
 * One channel message the bot owns and edits in place: an approval card, a job's live card, a result.
 * What it shows is its latest reply and its latest status card:
 * - a card newer than the reply replaces it (an approval card turning "approved", a job's steps); while
 *   the card is still running it keeps the reply's buttons, so a 1-of-2 approval stays clickable — until
 *   a card has ended once: then the buttons are gone for good (no Approve under the job it started);
 * - a reply newer than the card shows above the card's final state (the result under the job's steps).
 * Edits are serialised per message and the latest state wins: while one chat.update is in flight (or
 * waits out a 429), newer states replace the pending one, and the last one is always sent.
 */
import type { Reply, StatusCard } from '../../src/core/reply.js'
import type { Log } from '../../src/log.js'
import { BoundedMap } from './bounded-map.js'
import type { Pager } from './pager.js'
import { platformErrorOf, type SlackCaller } from './slack-api.js'
import {
  cardBlocks,
  cardText,
  fallbackText,
  fitBlocks,
  pageCount,
  replyBlocks,
  type SlackMessage,
} from './to-blocks.js'

/** Posting where the bot cannot (a private channel it is not in, a DM between two people): say it another way. */
export type Fallback = (message: SlackMessage) => Promise<void>

export interface LiveMessageDeps {
  readonly api: SlackCaller
  readonly log: Log
  readonly pager: Pager
  /** Told the message's ts once it is posted (the board indexes it, so button presses find it). */
  readonly posted: (message: LiveMessage) => void
}

const UNREACHABLE = new Set(['not_in_channel', 'channel_not_found'])

export class LiveMessage {
  channel: string
  ts: string | undefined
  readonly #deps: LiveMessageDeps
  #reply: Reply | undefined
  #pagerId: string | undefined
  #page = 0
  #card: StatusCard | undefined
  #newest: 'reply' | 'card' | undefined
  /** Whether the reply's buttons still apply: until a card after it reaches a final state. */
  #buttonsLive = false
  #fallback: Fallback | undefined
  #unreachable = false
  #pending: SlackMessage | undefined
  #running: Promise<void> | undefined

  constructor(deps: LiveMessageDeps, channel: string, ts?: string, fallback?: Fallback) {
    this.#deps = deps
    this.channel = channel
    this.ts = ts
    this.#fallback = fallback
  }

  showCard(card: StatusCard): Promise<void> {
    this.#card = card
    this.#newest = 'card'
    if (card.state !== 'running') this.#buttonsLive = false
    return this.#push()
  }

  showReply(reply: Reply): Promise<void> {
    this.#reply = reply
    this.#buttonsLive = true
    this.#page = 0
    this.#pagerId = pageCount(reply) > 1 ? this.#deps.pager.keep(reply) : undefined
    this.#newest = 'reply'
    return this.#push()
  }

  /** Shows page `page` of a paginated reply (a Prev / Next press); false when this message shows none. */
  showPage(pagerId: string, page: number): Promise<void> | false {
    if (!this.#reply || this.#pagerId !== pagerId) return false
    this.#page = page
    this.#newest = 'reply'
    return this.#push()
  }

  #compose(): SlackMessage {
    const reply = this.#reply
    const card = this.#card
    if (this.#newest === 'card' && card) {
      const buttons =
        card.state === 'running' && this.#buttonsLive && reply
          ? replyBlocks(reply).content.filter((b) => b.type === 'actions')
          : []
      return { text: cardText(card), blocks: fitBlocks([...cardBlocks(card), ...buttons]) }
    }
    if (!reply) return { text: '…', blocks: [] }
    const { content, tail } = replyBlocks(reply, { page: this.#page, pager: this.#pagerId })
    return {
      text: fallbackText(reply),
      blocks: fitBlocks([...content, ...(card ? [{ type: 'divider' as const }, ...cardBlocks(card)] : [])], tail),
    }
  }

  #push(): Promise<void> {
    this.#pending = this.#compose()
    this.#running ??= this.#drain()
    return this.#running
  }

  async #drain(): Promise<void> {
    for (;;) {
      const message = this.#pending
      if (!message) {
        this.#running = undefined
        return
      }
      this.#pending = undefined
      await this.#send(message)
    }
  }

  async #send(message: SlackMessage): Promise<void> {
    const { api, log } = this.#deps
    if (this.#unreachable) {
      // Said another way (response_url), only what matters: replies and final cards, not every step.
      if (this.#newest === 'reply' || this.#card?.state !== 'running') await this.#fallBack(message)
      return
    }
    try {
      if (this.ts === undefined) {
        const posted = await api.call('chat.postMessage', {
          channel: this.channel,
          ...message,
          unfurl_links: false,
          unfurl_media: false,
        })
        this.ts = String(posted.ts)
        if (typeof posted.channel === 'string') this.channel = posted.channel
        this.#deps.posted(this)
      } else {
        await api.call('chat.update', { channel: this.channel, ts: this.ts, ...message })
      }
    } catch (error) {
      const code = platformErrorOf(error)
      if (this.ts === undefined && code !== undefined && UNREACHABLE.has(code)) {
        log.warn({ channel: this.channel, code }, 'the bot cannot post in this channel; invite it so cards can update')
        this.#unreachable = true
        await this.#send(message)
        return
      }
      log.error({ err: error, channel: this.channel, ts: this.ts }, 'a Slack message could not be posted or updated')
    }
  }

  async #fallBack(message: SlackMessage): Promise<void> {
    try {
      await this.#fallback?.(message)
    } catch (error) {
      this.#deps.log.error({ err: error, channel: this.channel }, 'a Slack message could not be delivered at all')
    }
  }
}

/** The live messages by channel and ts, so a press on a message edits the same one (one queue per message). */
export class MessageBoard {
  readonly #messages: BoundedMap<string, LiveMessage>
  readonly #deps: Omit<LiveMessageDeps, 'posted'>

  constructor(deps: Omit<LiveMessageDeps, 'posted'>) {
    this.#deps = deps
    this.#messages = new BoundedMap({ capacity: 2_000, ttlMs: 24 * 60 * 60_000 })
  }

  #lifted(): LiveMessageDeps {
    return { ...this.#deps, posted: (m) => this.#messages.set(`${m.channel}:${m.ts}`, m) }
  }

  /** The message at `ts` in `channel` (one the bot posted, or found through a press after a restart). */
  at(channel: string, ts: string): LiveMessage {
    const key = `${channel}:${ts}`
    const known = this.#messages.get(key)
    if (known) return known
    const message = new LiveMessage(this.#lifted(), channel, ts)
    this.#messages.set(key, message)
    return message
  }

  /** A message not posted yet; it is posted on its first card or reply. */
  fresh(channel: string, fallback?: Fallback): LiveMessage {
    return new LiveMessage(this.#lifted(), channel, undefined, fallback)
  }
}
