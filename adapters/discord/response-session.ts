/**
 * Everything said in answer to one interaction, in order: the deferral, live status cards edited in
 * place, the reply, approver pings. Discord's rules it follows:
 *
 * - The first answer within 3 s: a command or modal submission is deferred as a "thinking" message whose
 *   visibility (ephemeral or not) is fixed then; a button press is deferred as an update of the message
 *   it is on. The caller decides before deferring.
 * - After a deferral, the first follow-up fills the thinking message, with the deferral's visibility
 *   whatever the follow-up asks (discord-api-docs; discordjs/guide#906). So a message of the other
 *   visibility is sent only after the thinking message was deleted.
 * - The interaction token lasts 15 minutes. Until 14 minutes, messages are posted and edited through it;
 *   after that — or as soon as Discord says the token is gone — public messages are posted and edited in
 *   the channel with the bot token, so an hour-long job's card keeps moving. An ephemeral message can
 *   only be reached through the token; once it is gone, what is left for it is logged, not sent.
 * - Status cards after the reply (an approval card changing state) edit the reply only when final,
 *   replacing its buttons; a card still running leaves the reply and its buttons alone.
 */
import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  DiscordAPIError,
  MessageFlags,
  type ModalSubmitInteraction,
  RESTJSONErrorCodes,
} from 'discord.js'
import type { StatusCard } from '../../src/core/reply.js'
import type { StatusSink } from '../../src/core/status-coalescer.js'
import type { CardRef } from '../../src/core/store-ports.js'
import type { Log } from '../../src/log.js'
import { type ChannelRoute, editOptions, type MessageEdit, replyOptions } from './message-payload.js'
import { type DiscordMessage, renderStatus } from './render-message.js'

/** Past this age the interaction token is not used any more (Discord ends it at 15 minutes). */
export const TOKEN_USE_MS = 14 * 60_000

export type AnsweredInteraction = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction

export interface SessionDeps {
  readonly now: () => number
  readonly log: Log
  readonly channels: ChannelRoute
}

interface Tracked {
  readonly id: string
  readonly channelId: string
  readonly ephemeral: boolean
  /** The interaction's own message: `@original` on the token route. */
  readonly original: boolean
}

/** Discord's answers meaning the interaction token cannot be used (any more). */
const TOKEN_GONE = new Set<unknown>([
  RESTJSONErrorCodes.InvalidWebhookToken,
  RESTJSONErrorCodes.UnknownWebhook,
  RESTJSONErrorCodes.UnknownInteraction,
])
export const isTokenGone = (error: unknown) => error instanceof DiscordAPIError && TOKEN_GONE.has(error.code)

export class ResponseSession {
  readonly #interaction: AnsweredInteraction
  readonly #deps: SessionDeps
  readonly #startedAt: number
  #mode: 'reply' | 'update' | undefined
  #deferredEphemeral = false
  /** The thinking message is shown and not yet filled. */
  #thinking = false
  #tokenGone = false
  /** The message the component was on (update mode). */
  #clicked: Tracked | undefined
  #card: Tracked | undefined
  #replied: { readonly message: Tracked | undefined; readonly withButtons: boolean } | undefined
  #queue: Promise<unknown> = Promise.resolve()

  constructor(interaction: AnsweredInteraction, deps: SessionDeps) {
    this.#interaction = interaction
    this.#deps = deps
    this.#startedAt = deps.now()
  }

  /** Answers within the 3 s: a thinking message, visible to everyone or only to the user. */
  async deferReply(ephemeral: boolean): Promise<void> {
    await this.#interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {})
    this.#mode = 'reply'
    this.#deferredEphemeral = ephemeral
    this.#thinking = true
  }

  /** Answers a button press within the 3 s without a new message; the pressed message can be edited. */
  async deferUpdate(): Promise<void> {
    const interaction = this.#interaction
    if (!interaction.isButton()) throw new Error('only a button press can be deferred as an update')
    await interaction.deferUpdate()
    this.#mode = 'update'
    const message = interaction.message
    this.#clicked = {
      id: message.id,
      channelId: message.channelId,
      ephemeral: message.flags.has(MessageFlags.Ephemeral),
      original: true,
    }
  }

  /** The live card sink handed to the dispatcher; failures are logged, never thrown into the job. */
  readonly status: StatusSink = Object.assign(
    (card: StatusCard): Promise<void> =>
      this.#enqueue(() => this.#status(card)).catch((error: unknown) =>
        this.#deps.log.warn({ err: error }, 'updating a status card on Discord failed'),
      ),
    {
      // The channel message showing the card, for another replica to close it (issue #15); a private
      // card can only be edited through this interaction's token, so it has no address to keep.
      where: (): CardRef | undefined => {
        const shown = this.#card ?? (this.#replied?.withButtons ? this.#replied.message : undefined)
        return shown && !shown.ephemeral
          ? { platform: 'discord', channel: shown.channelId, messageId: shown.id }
          : undefined
      },
    },
  )

  /** Delivers the answer; an approval request is followed by a message pinging `pingRoles`. */
  deliver(message: DiscordMessage, ephemeral: boolean, pingRoles: readonly string[] = []): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#mode === 'update' && this.#clicked) {
        const clicked = this.#clicked
        if (!ephemeral && !clicked.ephemeral) {
          await this.#edit(clicked, message)
          this.#replied = { message: clicked, withButtons: message.components.length > 0 }
        } else {
          this.#replied = { message: await this.#post(message, ephemeral), withButtons: message.components.length > 0 }
          // Confirm/cancel buttons only their asker saw: used once, so they go.
          if (clicked.ephemeral) await this.#edit(clicked, { components: [] })
        }
      } else {
        this.#replied = { message: await this.#post(message, ephemeral), withButtons: message.components.length > 0 }
      }
      if (pingRoles.length > 0 && !ephemeral) {
        const mentions = pingRoles.map((id) => `<@&${id}>`).join(' ')
        await this.#post(
          { content: `${mentions} an approval is requested above`, embeds: [], components: [], pingRoles },
          false,
        )
      }
    })
  }

  /** Serialised, so cards and the reply reach Discord in the order they were produced. */
  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work)
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #status(card: StatusCard): Promise<void> {
    const rendered = renderStatus(card)
    if (this.#card) return this.#edit(this.#card, rendered)
    const replied = this.#replied
    if (replied) {
      if (card.state !== 'running' && replied.message && !replied.message.ephemeral && replied.withButtons) {
        await this.#edit(replied.message, rendered)
      }
      return
    }
    this.#card = await this.#post(rendered, false)
  }

  #tokenUsable(): boolean {
    return !this.#tokenGone && this.#deps.now() - this.#startedAt < TOKEN_USE_MS
  }

  /** Runs `work` on the token route; false when the token is (now known to be) unusable. */
  async #viaToken(work: () => Promise<void>): Promise<boolean> {
    if (!this.#tokenUsable()) return false
    try {
      await work()
      return true
    } catch (error) {
      if (!isTokenGone(error)) throw error
      this.#tokenGone = true
      this.#deps.log.info({ interaction: this.#interaction.id }, 'interaction token gone; using the channel route')
      return false
    }
  }

  async #edit(target: Tracked, edit: MessageEdit): Promise<void> {
    const interaction = this.#interaction
    const done = await this.#viaToken(async () => {
      await interaction.editReply(editOptions(edit, target.original ? '@original' : target.id))
    })
    if (done) return
    if (target.ephemeral) {
      this.#deps.log.warn(
        { message: target.id },
        'a private message cannot be edited once the interaction token is gone',
      )
      return
    }
    await this.#deps.channels.edit(target.channelId, target.id, edit)
  }

  /** A new message (filling the thinking message when it has the right visibility). */
  async #post(message: DiscordMessage, ephemeral: boolean): Promise<Tracked | undefined> {
    const interaction = this.#interaction
    let tracked: Tracked | undefined
    const done = await this.#viaToken(async () => {
      if (this.#thinking) {
        if (ephemeral === this.#deferredEphemeral) {
          const shown = await interaction.editReply(
            editOptions({ ...message, content: message.content ?? '' }, '@original'),
          )
          this.#thinking = false
          tracked = { id: shown.id, channelId: shown.channelId, ephemeral, original: true }
          return
        }
        await interaction.deleteReply()
        this.#thinking = false
      }
      const sent = await interaction.followUp(replyOptions(message, ephemeral))
      tracked = { id: sent.id, channelId: sent.channelId, ephemeral, original: false }
    })
    if (done) return tracked
    const channelId = interaction.channelId
    if (ephemeral || !channelId) {
      this.#deps.log.warn(
        { interaction: interaction.id },
        'a private answer was dropped: the interaction token is gone',
      )
      return undefined
    }
    const posted = await this.#deps.channels.post(channelId, message)
    return { id: posted.id, channelId, ephemeral: false, original: false }
  }
}
