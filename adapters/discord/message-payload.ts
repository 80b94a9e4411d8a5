/**
 * One rendered message, two ways out: discord.js options for the interaction token (defer, edit,
 * follow-up) and a REST body for the bot token (channel messages: alerts, and live cards once the
 * interaction token has run out). Both carry `allowed_mentions` with nothing parsed: a message mentions
 * only the approver roles it was rendered to ping.
 */
import {
  type AllowedMentionsTypes,
  type APIAllowedMentions,
  type APIMessage,
  type InteractionEditReplyOptions,
  type InteractionReplyOptions,
  MessageFlags,
  type MessageMentionOptions,
  type REST,
  type RESTPatchAPIChannelMessageJSONBody,
  type RESTPostAPIChannelMessageJSONBody,
  Routes,
} from 'discord.js'
import type { DiscordMessage, MessageRow } from './render-message.js'

/** A change to a message already shown; absent keys are left as they are. */
export interface MessageEdit {
  readonly content?: string | undefined
  readonly embeds?: DiscordMessage['embeds'] | undefined
  readonly components?: readonly MessageRow[] | undefined
  readonly pingRoles?: readonly string[] | undefined
}

const pinged = (roles: readonly string[] | undefined) => (roles && roles.length > 0 ? [...roles] : undefined)

function mentionOptions(roles: readonly string[] | undefined): MessageMentionOptions {
  const ping = pinged(roles)
  return ping ? { parse: [], roles: ping } : { parse: [] }
}

export function allowedMentions(roles: readonly string[] | undefined): APIAllowedMentions {
  const ping = pinged(roles)
  return ping ? { parse: [], roles: ping } : { parse: [] as AllowedMentionsTypes[] }
}

const present = (edit: MessageEdit) => ({
  ...(edit.content === undefined ? {} : { content: edit.content }),
  ...(edit.embeds === undefined ? {} : { embeds: [...edit.embeds] }),
  ...(edit.components === undefined ? {} : { components: [...edit.components] }),
})

export function editOptions(edit: MessageEdit, message: string): InteractionEditReplyOptions {
  return { ...present(edit), allowedMentions: mentionOptions(edit.pingRoles), message }
}

export function replyOptions(message: DiscordMessage, ephemeral: boolean): InteractionReplyOptions {
  return {
    ...present({ ...message, content: message.content ?? '' }),
    allowedMentions: mentionOptions(message.pingRoles),
    ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
  }
}

/** Channel messages with the bot token (its own rate-limit queue and 429 waits are @discordjs/rest's). */
export interface ChannelRoute {
  post(channelId: string, message: DiscordMessage): Promise<{ readonly id: string }>
  edit(channelId: string, messageId: string, edit: MessageEdit): Promise<void>
}

export function channelRoute(rest: REST): ChannelRoute {
  return {
    async post(channelId, message) {
      const body: RESTPostAPIChannelMessageJSONBody = {
        ...present({ ...message, content: message.content ?? '' }),
        allowed_mentions: allowedMentions(message.pingRoles),
      }
      const posted = (await rest.post(Routes.channelMessages(channelId), { body })) as APIMessage
      return { id: posted.id }
    },
    async edit(channelId, messageId, edit) {
      const body: RESTPatchAPIChannelMessageJSONBody = {
        ...present(edit),
        allowed_mentions: allowedMentions(edit.pingRoles),
      }
      await rest.patch(Routes.channelMessage(channelId, messageId), { body })
    },
  }
}
