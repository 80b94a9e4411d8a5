/**
 * A fake Discord on 127.0.0.1 for the real discord.js Client (chat-platforms.md §4.2): REST under
 * /api/v10 and the gateway WebSocket on /gateway, one server with a text channel and roles, and users
 * the tests act as. It keeps Discord's rules the adapter depends on:
 *
 * - an interaction is answered once (second callback → 400/40060), within the response window
 *   (late → 404/10062);
 * - after a deferred reply, the first follow-up fills the thinking message with the deferral's
 *   visibility (it is a new message only once the thinking message was filled or deleted);
 * - interaction and webhook routes carry no Authorization (the token is in the path); a token the test
 *   expired answers 401/50027 "Invalid Webhook Token", as Discord does after 15 minutes;
 * - channel routes need `Bot <token>`; ephemeral messages cannot be reached through them (404/10008);
 * - a 429 with `Retry-After` can be served on the next N channel posts.
 *
 * Every request is recorded; `waitFor` resolves on the first recorded request (past or future) that
 * matches, so tests wait on events rather than on time.
 */
import { EventEmitter } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ChannelType, InteractionResponseType, MessageFlags } from 'discord.js'
import { FakeGateway } from './fake-gateway.js'

export interface FakeUser {
  readonly id: string
  readonly username: string
  readonly roles: readonly string[]
}

export interface Recorded {
  readonly method: string
  /** Decoded path after /api/v10: `/webhooks/1/tok/messages/@original`. */
  readonly path: string
  readonly query: URLSearchParams
  readonly auth: string | undefined
  readonly body: Record<string, unknown> | unknown[] | undefined
  readonly status: number
  /** Order of arrival. */
  readonly seq: number
}

export interface FakeMessage {
  readonly id: string
  readonly channel_id: string
  flags: number
  content: string
  embeds: unknown[]
  components: unknown[]
  /** Set while it is a deferred "thinking" message. */
  thinking: boolean
  deleted: boolean
  /** allowed_mentions of the request that last wrote it. */
  allowedMentions: unknown
}

export interface InteractionState {
  readonly id: string
  readonly token: string
  readonly dispatchedAt: number
  readonly channelId: string
  readonly componentMessageId?: string | undefined
  responded: boolean
  responseType?: InteractionResponseType | undefined
  /** The interaction's own message (@original). */
  originalId?: string | undefined
  expired: boolean
  /** The callback's data (a modal, autocomplete choices). */
  callbackData?: Record<string, unknown> | undefined
}

let counter = 0
/** 19-digit snowflakes (@discordjs/rest derives rate-limit buckets from 17–19 digit segments). */
export const snowflake = () => String(1_200_000_000_000_000_000n + BigInt(++counter))

export class FakeDiscord {
  readonly url: string
  readonly token = 'fake.bot-token.for-tests'
  readonly appId = snowflake()
  readonly guildId = snowflake()
  readonly channelId = snowflake()
  /** A second text channel for alerts. */
  readonly alertChannelId = snowflake()
  readonly operatorRole = snowflake()
  readonly botUser = { id: this.appId, username: 'xen-chatops' }
  readonly requests: Recorded[] = []
  readonly messages = new Map<string, FakeMessage>()
  readonly interactions = new Map<string, InteractionState>()
  /** Commands registered, by guild id or 'global'. */
  readonly registered = new Map<string, unknown>()
  /** How long an interaction may wait for its first answer (Discord: 3 s). */
  responseWindowMs = 3_000
  /** The next `count` channel message posts answer 429 with `Retry-After: retryAfter` seconds. */
  rateLimitPosts = { count: 0, retryAfter: 1 }
  /** Channels the bot may not post in (403/50001). */
  readonly forbiddenChannels = new Set<string>()
  readonly gateway: FakeGateway
  readonly #server: Server
  readonly #events = new EventEmitter()
  #seq = 0

  private constructor(server: Server, port: number) {
    this.#server = server
    this.url = `http://127.0.0.1:${port}`
    this.gateway = new FakeGateway({
      token: this.token,
      appId: this.appId,
      botUser: this.botUser,
      guildId: this.guildId,
      resumeUrl: `ws://127.0.0.1:${port}/gateway`,
      guildCreate: () => this.#guildCreate(),
    })
    server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/gateway')) {
        socket.destroy()
        return
      }
      this.gateway.wss.handleUpgrade(req, socket, head, (ws) => this.gateway.wss.emit('connection', ws, req))
    })
    this.#events.setMaxListeners(100)
  }

  /** The REST base to give discord.js (`rest.api`). */
  get api(): string {
    return `${this.url}/api`
  }

  static async start(): Promise<FakeDiscord> {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const fake = new FakeDiscord(server, (server.address() as AddressInfo).port)
    server.on('request', (req, res) => void fake.#handle(req, res))
    return fake
  }

  async close(): Promise<void> {
    this.gateway.close()
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  /** The first request (already recorded or still to come) matching `match`. */
  waitFor(match: (r: Recorded) => boolean, what = 'a matching request', timeoutMs = 10_000): Promise<Recorded> {
    const seen = this.requests.find(match)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#events.off('request', listener)
        reject(new Error(`fake Discord: no ${what} within ${timeoutMs} ms; saw:\n${this.describe()}`))
      }, timeoutMs)
      const listener = (r: Recorded) => {
        if (!match(r)) return
        clearTimeout(timer)
        this.#events.off('request', listener)
        resolve(r)
      }
      this.#events.on('request', listener)
    })
  }

  /** The requests so far, one line each (for failure messages). */
  describe(): string {
    return this.requests.map((r) => `  ${r.seq} ${r.method} ${r.path} → ${r.status}`).join('\n')
  }

  /** Requests made with an interaction's token (callback and webhook routes). */
  byToken(token: string): Recorded[] {
    return this.requests.filter((r) => r.path.includes(`/${token}`))
  }

  /** Discord ends the token (15 minutes passed): its routes answer 401/50027 from now on. */
  expireToken(token: string): void {
    const state = [...this.interactions.values()].find((i) => i.token === token)
    if (!state) throw new Error('no interaction with that token')
    state.expired = true
  }

  /** Registers an interaction and sends it over the gateway. */
  dispatchInteraction(payload: { id: string; token: string; message?: { id: string } | undefined }): InteractionState {
    const state: InteractionState = {
      id: payload.id,
      token: payload.token,
      dispatchedAt: Date.now(),
      channelId: this.channelId,
      componentMessageId: payload.message?.id,
      responded: false,
      expired: false,
    }
    this.interactions.set(payload.id, state)
    this.gateway.dispatch('INTERACTION_CREATE', payload)
    return state
  }

  /** A message the bot posted, as Discord would send it inside a component interaction. */
  apiMessage(message: FakeMessage) {
    return {
      id: message.id,
      channel_id: message.channel_id,
      type: 0,
      content: message.content,
      author: {
        id: this.botUser.id,
        username: this.botUser.username,
        discriminator: '0',
        global_name: null,
        avatar: null,
        bot: true,
      },
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: message.embeds,
      pinned: false,
      flags: message.flags,
      components: message.components,
      application_id: this.appId,
      webhook_id: this.appId,
    }
  }

  #guildCreate(): Record<string, unknown> {
    const role = (id: string, name: string, position: number) => ({
      id,
      name,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position,
      permissions: '0',
      managed: false,
      mentionable: false,
      flags: 0,
    })
    const channel = (id: string, name: string, position: number) => ({
      id,
      type: ChannelType.GuildText,
      guild_id: this.guildId,
      name,
      position,
      permission_overwrites: [],
      nsfw: false,
      topic: null,
      last_message_id: null,
      rate_limit_per_user: 0,
      parent_id: null,
    })
    return {
      id: this.guildId,
      name: 'ops',
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: snowflake(),
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [role(this.guildId, '@everyone', 0), role(this.operatorRole, 'operators', 1)],
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      preferred_locale: 'en-US',
      public_updates_channel_id: null,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      safety_alerts_channel_id: null,
      joined_at: new Date().toISOString(),
      large: false,
      unavailable: false,
      member_count: 4,
      voice_states: [],
      members: [],
      channels: [channel(this.channelId, 'ops', 0), channel(this.alertChannelId, 'alerts', 1)],
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    const url = new URL(req.url ?? '/', this.url)
    const path = decodeURIComponent(url.pathname.replace(/^\/api\/v10/, ''))
    let body: Record<string, unknown> | unknown[] | undefined
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined
    } catch {
      body = undefined
    }
    const answer = this.#route(req.method ?? 'GET', path, url.searchParams, req.headers.authorization, body)
    const record: Recorded = {
      method: req.method ?? 'GET',
      path,
      query: url.searchParams,
      auth: req.headers.authorization,
      body,
      status: answer.status,
      seq: ++this.#seq,
    }
    this.requests.push(record)
    // A 204 has no body, so no content type: @discordjs/rest parses any JSON-typed body.
    const type = answer.body === undefined ? {} : { 'content-type': 'application/json' }
    res.writeHead(answer.status, { ...type, ...(answer.headers ?? {}) })
    res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body))
    this.#events.emit('request', record)
  }

  #route(
    method: string,
    path: string,
    query: URLSearchParams,
    auth: string | undefined,
    body: Record<string, unknown> | unknown[] | undefined,
  ): Answer {
    const parts = path.split('/').filter(Boolean)
    const json = (body ?? {}) as Record<string, unknown>
    if (parts[0] === 'interactions' && parts[3] === 'callback' && method === 'POST') {
      return this.#callback(parts[1] ?? '', parts[2] ?? '', json, query)
    }
    if (parts[0] === 'webhooks') return this.#webhook(method, parts[2] ?? '', parts.slice(3), json)
    if (auth !== `Bot ${this.token}`) return error(401, 0, '401: Unauthorized')
    if (method === 'GET' && path === '/gateway/bot') {
      return ok({
        url: this.url.replace('http', 'ws').concat('/gateway'),
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      })
    }
    if (method === 'GET' && path === '/users/@me') return ok({ ...this.botUser, discriminator: '0', bot: true })
    if (parts[0] === 'applications' && parts.at(-1) === 'commands' && method === 'PUT') {
      const scope = parts[2] === 'guilds' ? (parts[3] ?? '') : 'global'
      this.registered.set(scope, body)
      const list = Array.isArray(body) ? body : []
      return ok(
        list.map((c) => ({ ...(c as object), id: snowflake(), application_id: this.appId, version: snowflake() })),
      )
    }
    if (parts[0] === 'channels') return this.#channel(method, parts[1] ?? '', parts.slice(2), json)
    return error(404, 0, `fake Discord does not serve ${method} ${path}`)
  }

  #callback(id: string, token: string, data: Record<string, unknown>, query: URLSearchParams): Answer {
    const state = this.interactions.get(id)
    if (!state || state.token !== token || state.expired) return error(404, 10062, 'Unknown interaction')
    if (state.responded) return error(400, 40060, 'Interaction has already been acknowledged.')
    if (Date.now() - state.dispatchedAt > this.responseWindowMs) return error(404, 10062, 'Unknown interaction')
    state.responded = true
    const type = data.type as InteractionResponseType
    const payload = (data.data ?? {}) as Record<string, unknown>
    state.responseType = type
    state.callbackData = payload
    if (
      type === InteractionResponseType.DeferredChannelMessageWithSource ||
      type === InteractionResponseType.ChannelMessageWithSource
    ) {
      const message = this.#create(
        state.channelId,
        payload,
        type === InteractionResponseType.DeferredChannelMessageWithSource,
      )
      state.originalId = message.id
    } else if (
      type === InteractionResponseType.DeferredMessageUpdate ||
      type === InteractionResponseType.UpdateMessage
    ) {
      state.originalId = state.componentMessageId
      const message = state.originalId ? this.messages.get(state.originalId) : undefined
      if (message && type === InteractionResponseType.UpdateMessage) this.#write(message, payload)
    }
    if (query.get('with_response') === 'true') return ok({ interaction: { id, type: 2 }, resource: { type } })
    return { status: 204 }
  }

  #webhook(method: string, token: string, rest: readonly string[], body: Record<string, unknown>): Answer {
    const state = [...this.interactions.values()].find((i) => i.token === token)
    if (!state || state.expired) return error(401, 50027, 'Invalid Webhook Token')
    if (!state.responded) return error(404, 10015, 'Unknown Webhook')
    if (rest.length === 0 && method === 'POST') {
      const original = state.originalId ? this.messages.get(state.originalId) : undefined
      if (original?.thinking && !original.deleted) {
        // Discord: the first follow-up after a deferral fills the thinking message, keeping its flags.
        original.thinking = false
        this.#write(original, body)
        return ok(this.apiMessage(original))
      }
      return ok(this.apiMessage(this.#create(state.channelId, body, false)))
    }
    if (rest[0] !== 'messages' || rest[1] === undefined) return error(404, 0, 'unknown webhook route')
    const id = rest[1] === '@original' ? state.originalId : rest[1]
    const message = id ? this.messages.get(id) : undefined
    if (!message || message.deleted) return error(404, 10008, 'Unknown Message')
    if (method === 'PATCH') {
      message.thinking = false
      this.#write(message, body)
      return ok(this.apiMessage(message))
    }
    if (method === 'DELETE') {
      message.deleted = true
      message.thinking = false
      return { status: 204 }
    }
    if (method === 'GET') return ok(this.apiMessage(message))
    return error(405, 0, 'method not allowed')
  }

  #channel(method: string, channelId: string, rest: readonly string[], body: Record<string, unknown>): Answer {
    if (channelId !== this.channelId && channelId !== this.alertChannelId) return error(404, 10003, 'Unknown Channel')
    if (this.forbiddenChannels.has(channelId)) return error(403, 50001, 'Missing Access')
    if (rest.length === 0 && method === 'GET') {
      return ok({ id: channelId, type: ChannelType.GuildText, guild_id: this.guildId, name: 'ops' })
    }
    if (rest[0] !== 'messages') return error(404, 0, 'unknown channel route')
    if (rest.length === 1 && method === 'POST') {
      if (this.rateLimitPosts.count > 0) {
        this.rateLimitPosts.count--
        const after = String(this.rateLimitPosts.retryAfter)
        return {
          status: 429,
          headers: {
            'retry-after': after,
            'x-ratelimit-limit': '5',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset-after': after,
            'x-ratelimit-bucket': 'fake-channel-messages',
            'x-ratelimit-scope': 'user',
          },
          body: { message: 'You are being rate limited.', retry_after: this.rateLimitPosts.retryAfter, global: false },
        }
      }
      return ok(this.apiMessage(this.#create(channelId, body, false)))
    }
    const message = rest[1] ? this.messages.get(rest[1]) : undefined
    const reachable = message && !message.deleted && message.channel_id === channelId
    if (!reachable || (message.flags & MessageFlags.Ephemeral) !== 0) return error(404, 10008, 'Unknown Message')
    if (method === 'PATCH') {
      this.#write(message, body)
      return ok(this.apiMessage(message))
    }
    if (method === 'GET') return ok(this.apiMessage(message))
    return error(405, 0, 'method not allowed')
  }

  #create(channelId: string, data: Record<string, unknown>, thinking: boolean): FakeMessage {
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
    this.#write(message, data)
    this.messages.set(message.id, message)
    return message
  }

  #write(message: FakeMessage, data: Record<string, unknown>): void {
    if (typeof data.content === 'string') message.content = data.content
    if (Array.isArray(data.embeds)) message.embeds = data.embeds
    if (Array.isArray(data.components)) message.components = data.components
    if ('allowed_mentions' in data) message.allowedMentions = data.allowed_mentions
  }
}

interface Answer {
  readonly status: number
  readonly headers?: Record<string, string> | undefined
  readonly body?: unknown
}

const ok = (body: unknown): Answer => ({ status: 200, body })
const error = (status: number, code: number, message: string): Answer => ({ status, body: { code, message } })
