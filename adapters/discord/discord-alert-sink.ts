/**
 * Alerts into Discord channels (the AlertSink port, src/core/alert-sink.ts): posted and edited with
 * the bot token, only in the channels `platforms.discord.alertChannels` lists. Rate limits are waited
 * out by @discordjs/rest (it reads `Retry-After` and the bucket headers, and queues per route), so
 * `post` resolves once the message is really there. Answers that retrying cannot fix — a bad token
 * (401), missing access or permissions (403), an unknown channel (404) — become AlertSinkRefused, so
 * the sender stops instead of adding to Discord's count of invalid requests.
 */
import { DiscordAPIError, type REST } from 'discord.js'
import { type AlertSink, AlertSinkRefused, type PostedAlert } from '../../src/core/alert-sink.js'
import type { Reply } from '../../src/core/reply.js'
import { type ChannelRoute, channelRoute } from './message-payload.js'
import { renderReply } from './render-message.js'

const REFUSALS: Record<number, string> = {
  401: 'Discord refused the bot token (401); check platforms.discord.token',
  403: 'the bot may not post there (403); give it View Channel, Send Messages and Embed Links in that channel',
  404: 'Discord does not know that channel or message (404); check platforms.discord.alertChannels',
}

function refusalOf(error: unknown, channel: string): unknown {
  if (error instanceof DiscordAPIError) {
    const why = REFUSALS[error.status]
    if (why) return new AlertSinkRefused(`alert to Discord channel ${channel} refused: ${why}`, { cause: error })
  }
  return error
}

export class DiscordAlertSink implements AlertSink {
  readonly platform = 'discord'
  readonly #route: ChannelRoute
  readonly #channels: ReadonlySet<string>

  constructor(rest: REST, alertChannels: readonly string[]) {
    this.#route = channelRoute(rest)
    this.#channels = new Set(alertChannels)
  }

  async post(channel: string, message: Reply): Promise<PostedAlert> {
    this.#allowed(channel)
    try {
      const posted = await this.#route.post(channel, renderReply(message))
      return { destination: { platform: this.platform, channel }, messageId: posted.id }
    } catch (error) {
      throw refusalOf(error, channel)
    }
  }

  async update(posted: PostedAlert, message: Reply): Promise<void> {
    const channel = posted.destination.channel
    this.#allowed(channel)
    const rendered = renderReply(message)
    try {
      await this.#route.edit(channel, posted.messageId, { embeds: rendered.embeds, components: rendered.components })
    } catch (error) {
      throw refusalOf(error, channel)
    }
  }

  #allowed(channel: string): void {
    if (!this.#channels.has(channel)) {
      throw new AlertSinkRefused(`Discord channel ${channel} is not in platforms.discord.alertChannels`)
    }
  }
}
