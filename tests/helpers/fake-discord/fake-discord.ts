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
 * - a 429 with `Retry-After` can be served on the next N channel posts, or webhook message edits.
 *
 * Every request is recorded; `waitFor` resolves on the first recorded request (past or future) that
 * matches, so tests wait on events rather than on time.
 */
import { EventEmitter } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { InteractionResponseType } from 'discord.js'
import { FakeGateway } from './fake-gateway.js'
import { guildCreatePayload } from './fake-guild.js'
import { routeRequest } from './fake-rest.js'

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
  /** The next `count` edits through an interaction webhook (a live card) answer 429 the same way. */
  rateLimitEdits = { count: 0, retryAfter: 1 }
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
      guildCreate: () => guildCreatePayload(this),
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
    const answer = routeRequest(this, req.method ?? 'GET', path, url.searchParams, req.headers.authorization, body)
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
}
