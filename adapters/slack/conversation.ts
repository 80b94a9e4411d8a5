/**
 * Where one interaction's answers go (DESIGN.md visibility policy): errors, denials, help and forms
 * privately to the asker; approval cards, job cards and results to the channel, as one message edited
 * in place (live-message.ts).
 * Private answers use the interaction's response_url while it lasts (5 posts, 30 minutes) — it works
 * even where the bot is not a member — then the bot token (chat.postEphemeral). Channel messages are
 * posted with the bot token, because a card must be edited later by its ts; where the bot cannot post,
 * the response_url carries the result instead (not editable, so only replies and final cards).
 */
import type { Reply, StatusCard } from '../../src/core/reply.js'
import type { StatusSink } from '../../src/core/status-coalescer.js'
import type { CardRef } from '../../src/core/store-ports.js'
import type { Log } from '../../src/log.js'
import type { LiveMessage, MessageBoard } from './live-message.js'
import type { Pager } from './pager.js'
import type { ResponseUrl } from './response-url.js'
import type { SlackCaller } from './slack-api.js'
import { pageCount, replyToMessage, type SlackMessage } from './to-blocks.js'

export interface ConversationDeps {
  readonly api: SlackCaller
  readonly log: Log
  readonly pager: Pager
  readonly board: MessageBoard
}

export interface ConversationPlace {
  readonly channel: string
  readonly userId: string
  readonly responseUrl?: ResponseUrl | undefined
  /** The channel message this interaction shows its cards in (the pressed one); a new one when absent. */
  readonly message?: LiveMessage | undefined
}

export class Conversation {
  readonly #deps: ConversationDeps
  readonly #place: ConversationPlace
  #message: LiveMessage | undefined

  constructor(deps: ConversationDeps, place: ConversationPlace) {
    this.#deps = deps
    this.#place = place
    this.#message = place.message
  }

  get channel(): string {
    return this.#place.channel
  }

  #live(): LiveMessage {
    this.#message ??= this.#deps.board.fresh(this.#place.channel, (message) => this.#inChannel(message))
    return this.#message
  }

  /** The invocation's status sink: the live card in the channel, and where it is once posted. */
  readonly status: StatusSink = Object.assign((card: StatusCard): Promise<void> => this.#live().showCard(card), {
    where: (): CardRef | undefined => {
      const message = this.#message
      return message?.ts ? { platform: 'slack', channel: message.channel, messageId: message.ts } : undefined
    },
  })

  async reply(reply: Reply): Promise<void> {
    // Another delivery of this interaction (a retry, or another replica) claimed it and answers it.
    if (reply.duplicate) return
    if (reply.visibility === 'channel') await this.#live().showReply(reply)
    else await this.ephemeral(reply)
  }

  /** A private answer; `replaceOriginal` replaces the (ephemeral) message that was pressed. */
  async ephemeral(reply: Reply, options: { readonly replaceOriginal?: boolean } = {}): Promise<void> {
    if (reply.duplicate) return
    const pager = pageCount(reply) > 1 ? this.#deps.pager.keep(reply) : undefined
    await this.ephemeralMessage(replyToMessage(reply, { page: 0, pager }), options)
  }

  async ephemeralMessage(message: SlackMessage, options: { readonly replaceOriginal?: boolean } = {}): Promise<void> {
    const url = this.#place.responseUrl
    if (url?.usable()) {
      try {
        await url.send({ response_type: 'ephemeral', replace_original: options.replaceOriginal === true, ...message })
        return
      } catch (error) {
        this.#deps.log.warn({ err: error }, 'the response_url failed; answering with the bot token')
      }
    }
    await this.#deps.api.call('chat.postEphemeral', {
      channel: this.#place.channel,
      user: this.#place.userId,
      ...message,
    })
  }

  /** Replaces the pressed message (a page of a list) through the press's response_url; false when spent. */
  async replaceOriginal(message: SlackMessage): Promise<boolean> {
    const url = this.#place.responseUrl
    if (!url?.usable()) return false
    await url.send({ replace_original: true, ...message })
    return true
  }

  /** Removes the pressed ephemeral message (a confirmation prompt once answered). */
  async deleteOriginal(): Promise<void> {
    const url = this.#place.responseUrl
    if (!url?.usable()) return
    await url.send({ delete_original: true }).catch((error: unknown) => {
      this.#deps.log.warn({ err: error }, 'the pressed message could not be removed')
    })
  }

  async #inChannel(message: SlackMessage): Promise<void> {
    const url = this.#place.responseUrl
    if (!url?.usable()) throw new Error('the bot cannot post in this channel and the response_url is spent')
    await url.send({ response_type: 'in_channel', replace_original: false, ...message })
  }
}
