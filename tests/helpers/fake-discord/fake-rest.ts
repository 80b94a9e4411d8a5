/**
 * The REST half of the fake Discord: interaction callbacks, the interaction webhook (edit, follow-up,
 * delete), channel messages with the bot token, command registration and /gateway/bot — with the rules
 * described in fake-discord.ts.
 */
import { ChannelType, InteractionResponseType, MessageFlags } from 'discord.js'
import { type FakeDiscord, type FakeMessage, snowflake } from './fake-discord.js'

export function routeRequest(
  fake: FakeDiscord,
  method: string,
  path: string,
  query: URLSearchParams,
  auth: string | undefined,
  body: Record<string, unknown> | unknown[] | undefined,
): Answer {
  const parts = path.split('/').filter(Boolean)
  const json = (body ?? {}) as Record<string, unknown>
  if (parts[0] === 'interactions' && parts[3] === 'callback' && method === 'POST') {
    return callbackRoute(fake, parts[1] ?? '', parts[2] ?? '', json, query)
  }
  if (parts[0] === 'webhooks') return webhookRoute(fake, method, parts[2] ?? '', parts.slice(3), json)
  if (auth !== `Bot ${fake.token}`) return error(401, 0, '401: Unauthorized')
  if (method === 'GET' && path === '/gateway/bot') {
    return ok({
      url: fake.url.replace('http', 'ws').concat('/gateway'),
      shards: 1,
      session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
    })
  }
  if (method === 'GET' && path === '/users/@me') return ok({ ...fake.botUser, discriminator: '0', bot: true })
  if (parts[0] === 'applications' && parts.at(-1) === 'commands' && method === 'PUT') {
    const scope = parts[2] === 'guilds' ? (parts[3] ?? '') : 'global'
    fake.registered.set(scope, body)
    const list = Array.isArray(body) ? body : []
    return ok(
      list.map((c) => ({ ...(c as object), id: snowflake(), application_id: fake.appId, version: snowflake() })),
    )
  }
  if (parts[0] === 'channels') return channelRoute(fake, method, parts[1] ?? '', parts.slice(2), json)
  return error(404, 0, `fake Discord does not serve ${method} ${path}`)
}

function callbackRoute(
  fake: FakeDiscord,
  id: string,
  token: string,
  data: Record<string, unknown>,
  query: URLSearchParams,
): Answer {
  const state = fake.interactions.get(id)
  if (!state || state.token !== token || state.expired) return error(404, 10062, 'Unknown interaction')
  if (state.responded) return error(400, 40060, 'Interaction has already been acknowledged.')
  if (Date.now() - state.dispatchedAt > fake.responseWindowMs) return error(404, 10062, 'Unknown interaction')
  state.responded = true
  const type = data.type as InteractionResponseType
  const payload = (data.data ?? {}) as Record<string, unknown>
  state.responseType = type
  state.callbackData = payload
  if (
    type === InteractionResponseType.DeferredChannelMessageWithSource ||
    type === InteractionResponseType.ChannelMessageWithSource
  ) {
    const message = createMessage(
      fake,
      state.channelId,
      payload,
      type === InteractionResponseType.DeferredChannelMessageWithSource,
    )
    state.originalId = message.id
  } else if (type === InteractionResponseType.DeferredMessageUpdate || type === InteractionResponseType.UpdateMessage) {
    state.originalId = state.componentMessageId
    const message = state.originalId ? fake.messages.get(state.originalId) : undefined
    if (message && type === InteractionResponseType.UpdateMessage) writeMessage(message, payload)
  }
  if (query.get('with_response') === 'true') return ok({ interaction: { id, type: 2 }, resource: { type } })
  return { status: 204 }
}

function webhookRoute(
  fake: FakeDiscord,
  method: string,
  token: string,
  rest: readonly string[],
  body: Record<string, unknown>,
): Answer {
  const state = [...fake.interactions.values()].find((i) => i.token === token)
  if (!state || state.expired) return error(401, 50027, 'Invalid Webhook Token')
  if (!state.responded) return error(404, 10015, 'Unknown Webhook')
  if (rest.length === 0 && method === 'POST') {
    const original = state.originalId ? fake.messages.get(state.originalId) : undefined
    if (original?.thinking && !original.deleted) {
      // Discord: the first follow-up after a deferral fills the thinking message, keeping its flags.
      original.thinking = false
      writeMessage(original, body)
      return ok(fake.apiMessage(original))
    }
    return ok(fake.apiMessage(createMessage(fake, state.channelId, body, false)))
  }
  if (rest[0] !== 'messages' || rest[1] === undefined) return error(404, 0, 'unknown webhook route')
  const id = rest[1] === '@original' ? state.originalId : rest[1]
  const message = id ? fake.messages.get(id) : undefined
  if (!message || message.deleted) return error(404, 10008, 'Unknown Message')
  if (method === 'PATCH') {
    if (fake.rateLimitEdits.count > 0) {
      fake.rateLimitEdits.count--
      return rateLimited(fake.rateLimitEdits.retryAfter, 'fake-webhook-edits')
    }
    message.thinking = false
    writeMessage(message, body)
    return ok(fake.apiMessage(message))
  }
  if (method === 'DELETE') {
    message.deleted = true
    message.thinking = false
    return { status: 204 }
  }
  if (method === 'GET') return ok(fake.apiMessage(message))
  return error(405, 0, 'method not allowed')
}

function channelRoute(
  fake: FakeDiscord,
  method: string,
  channelId: string,
  rest: readonly string[],
  body: Record<string, unknown>,
): Answer {
  if (channelId !== fake.channelId && channelId !== fake.alertChannelId) return error(404, 10003, 'Unknown Channel')
  if (fake.forbiddenChannels.has(channelId)) return error(403, 50001, 'Missing Access')
  if (rest.length === 0 && method === 'GET') {
    return ok({ id: channelId, type: ChannelType.GuildText, guild_id: fake.guildId, name: 'ops' })
  }
  if (rest[0] !== 'messages') return error(404, 0, 'unknown channel route')
  if (rest.length === 1 && method === 'POST') {
    if (fake.rateLimitPosts.count > 0) {
      fake.rateLimitPosts.count--
      return rateLimited(fake.rateLimitPosts.retryAfter, 'fake-channel-messages')
    }
    return ok(fake.apiMessage(createMessage(fake, channelId, body, false)))
  }
  const message = rest[1] ? fake.messages.get(rest[1]) : undefined
  const reachable = message && !message.deleted && message.channel_id === channelId
  if (!reachable || (message.flags & MessageFlags.Ephemeral) !== 0) return error(404, 10008, 'Unknown Message')
  if (method === 'PATCH') {
    writeMessage(message, body)
    return ok(fake.apiMessage(message))
  }
  if (method === 'GET') return ok(fake.apiMessage(message))
  return error(405, 0, 'method not allowed')
}

export function createMessage(
  fake: FakeDiscord,
  channelId: string,
  data: Record<string, unknown>,
  thinking: boolean,
): FakeMessage {
  const message: FakeMessage = {
    id: snowflake(),
    channel_id: channelId,
    flags: Number(data.flags ?? 0) & MessageFlags.Ephemeral,
    content: '',
    embeds: [],
    components: [],
    thinking,
    deleted: false,
    allowedMentions: undefined,
  }
  writeMessage(message, data)
  fake.messages.set(message.id, message)
  return message
}

export function writeMessage(message: FakeMessage, data: Record<string, unknown>): void {
  if (typeof data.content === 'string') message.content = data.content
  if (Array.isArray(data.embeds)) message.embeds = data.embeds
  if (Array.isArray(data.components)) message.components = data.components
  if ('allowed_mentions' in data) message.allowedMentions = data.allowed_mentions
}

export interface Answer {
  readonly status: number
  readonly headers?: Record<string, string> | undefined
  readonly body?: unknown
}

const ok = (body: unknown): Answer => ({ status: 200, body })

/** Discord's 429 with the headers @discordjs/rest reads to wait (seconds, as Discord sends them). */
function rateLimited(retryAfter: number, bucket: string): Answer {
  const after = String(retryAfter)
  return {
    status: 429,
    headers: {
      'retry-after': after,
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset-after': after,
      'x-ratelimit-bucket': bucket,
      'x-ratelimit-scope': 'user',
    },
    body: { message: 'You are being rate limited.', retry_after: retryAfter, global: false },
  }
}
const error = (status: number, code: number, message: string): Answer => ({ status, body: { code, message } })
