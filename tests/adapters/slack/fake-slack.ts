/**
 * A fake Slack on 127.0.0.1 for the real bolt App (chat-platforms.md §4.1): the Web API methods the bot
 * calls, a Socket Mode WebSocket (`apps.connections.open` → ws://…/socket-mode, `hello`, envelopes and
 * their acks, on as many connections as connect: each replica of the bot opens its own, issue #15), and
 * response_urls. It records everything, checks every Block Kit payload it receives
 * against the limits (block-limits.ts) into `problems`, and can be told to answer 429 with Retry-After,
 * or to refuse, on the next calls of a method. Tests wait on its records (`until`), not on sleeps.
 */
import { EventEmitter } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocket, WebSocketServer } from 'ws'
import { messageProblems, optionsProblems, viewProblems } from '../../../adapters/slack/block-limits.js'

export const BOT_TOKEN = 'xoxb-0000-test-bot-token'
export const APP_TOKEN = 'xapp-1-A0TEST-0000-test-app-token'
export const BOT_USER = 'U0BOT'

export interface ApiCall {
  readonly method: string
  readonly params: Record<string, unknown>
  readonly token: string | undefined
  /** What the fake answered: 200, 429… and the body's error when not ok. */
  readonly status: number
  readonly error?: string | undefined
  /** The body the fake answered with. */
  readonly result: Record<string, unknown>
}

export interface ResponsePost {
  /** The response_url's id (`/response/<id>`). */
  readonly id: string
  readonly body: Record<string, unknown>
}

export interface PostedMessage {
  readonly channel: string
  readonly ts: string
  text: string
  blocks: unknown[]
}

export interface Envelope {
  readonly type: 'slash_commands' | 'interactive'
  readonly payload: Record<string, unknown>
}

type Answer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> }

const json = (value: unknown): unknown => {
  if (typeof value !== 'string' || !/^[[{]/.test(value)) return value
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

export class FakeSlack extends EventEmitter {
  readonly calls: ApiCall[] = []
  readonly responses: ResponsePost[] = []
  /** Limit problems found in any payload the bot sent, with where. */
  readonly problems: string[] = []
  readonly messages = new Map<string, PostedMessage>()
  /** User-group id → member ids, for usergroups.users.list. */
  readonly usergroups = new Map<string, string[]>()
  /** What response_urls answer: 200 "ok", or 404 "expired_url" once Slack no longer takes them. */
  responseStatus: 200 | 404 = 200
  /** Channels where chat.postMessage answers not_in_channel. */
  readonly notJoined = new Set<string>()
  readonly #rateLimits = new Map<string, { count: number; retryAfter: number }>()
  readonly #failures = new Map<string, { count: number; error: string; status: number }>()
  readonly #triggers = new Map<string, 'fresh' | 'used' | 'expired'>()
  readonly #views = new Map<string, Record<string, unknown>>()
  readonly #acks = new Map<string, (payload: Record<string, unknown>) => void>()
  readonly #server: Server
  readonly #wss = new WebSocketServer({ noServer: true })
  /** The Socket Mode connections open now, by the number each got when it connected (1, 2, …). */
  readonly #sockets = new Map<number, WebSocket>()
  #connectionSeq = 0
  #seq = 0

  private constructor() {
    super()
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        res.writeHead(500).end(String(error))
      })
    })
    this.#server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/socket-mode')) {
        socket.destroy()
        return
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onSocket(ws))
    })
  }

  static async start(): Promise<FakeSlack> {
    const fake = new FakeSlack()
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve))
    return fake
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo
    return `http://127.0.0.1:${port}`
  }

  get apiUrl(): string {
    return `${this.url}/api/`
  }

  /** A fresh response_url, as Slack puts in each command and button payload. */
  responseUrl(): string {
    return `${this.url}/response/${++this.#seq}`
  }

  /** Triggers issued from now on are expired already (as when the bot answers more than 3 s late). */
  triggersExpire = false

  /** A fresh trigger id (valid for one views.open). */
  triggerId(): string {
    const id = `${++this.#seq}.0000.trigger${this.#seq}`
    this.#triggers.set(id, this.triggersExpire ? 'expired' : 'fresh')
    return id
  }

  /** The next `count` calls of `method` answer 429 with `Retry-After: retryAfter`. */
  rateLimitNext(method: string, count = 1, retryAfter = 1): void {
    this.#rateLimits.set(method, { count, retryAfter })
  }

  /** The next `count` calls of `method` fail: `{ ok: false, error }`, or an HTTP status when given. */
  failNext(method: string, error: string, count = 1, status = 200): void {
    this.#failures.set(method, { count, error, status })
  }

  view(id: string): Record<string, unknown> | undefined {
    return this.#views.get(id)
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method)
  }

  /** Resolves with `find()`'s value once it has one (checked now and after every record); fails after `ms`. */
  until<T>(find: () => T | undefined | null | false, what: string, ms = 15_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find()
        if (!found) return false
        this.off('record', check)
        clearTimeout(timer)
        resolve(found)
        return true
      }
      const timer = setTimeout(() => {
        this.off('record', check)
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`))
      }, ms)
      if (!check()) this.on('record', check)
    })
  }

  // ---- Socket Mode ----

  /** Resolves once `count` Socket Mode clients are connected (hello sent): one per replica started. */
  connected(count = 1): Promise<void> {
    return this.until(
      () => this.connections.length >= count,
      count === 1 ? 'a Socket Mode connection' : `${count} Socket Mode connections`,
    ).then(() => undefined)
  }

  /** The open Socket Mode connections' numbers, oldest first (a replica keeps its number while connected). */
  get connections(): number[] {
    return [...this.#sockets].filter(([, ws]) => ws.readyState === WebSocket.OPEN).map(([n]) => n)
  }

  /**
   * Sends an envelope as Slack does and resolves with the bot's ack payload: on the connection numbered
   * `connection` (see `connections`), or on the newest one.
   */
  send(envelope: Envelope, connection = this.connections.at(-1)): Promise<Record<string, unknown>> {
    const socket = connection === undefined ? undefined : this.#sockets.get(connection)
    if (!socket || socket.readyState !== WebSocket.OPEN)
      return Promise.reject(new Error(`no Socket Mode connection${connection === undefined ? '' : ` #${connection}`}`))
    const id = `envelope-${++this.#seq}`
    return new Promise((resolve) => {
      this.#acks.set(id, (payload) => {
        if (envelope.payload.type === 'block_suggestion')
          this.#check('block_suggestion ack', optionsProblems(payload.options))
        resolve(payload)
      })
      socket.send(
        JSON.stringify({
          envelope_id: id,
          type: envelope.type,
          payload: envelope.payload,
          accepts_response_payload: true,
        }),
      )
    })
  }

  /**
   * The same event on every open connection at once (an envelope of its own on each, acked there):
   * what a retry landing on another replica, or an event delivered twice, looks like (issue #15).
   */
  sendToEach(envelope: Envelope): Promise<Record<string, unknown>[]> {
    return Promise.all(this.connections.map((n) => this.send(envelope, n)))
  }

  #onSocket(ws: WebSocket): void {
    const number = ++this.#connectionSeq
    this.#sockets.set(number, ws)
    ws.on('close', () => {
      this.#sockets.delete(number)
      this.emit('record')
    })
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { envelope_id?: string; payload?: Record<string, unknown> }
      const ack = message.envelope_id ? this.#acks.get(message.envelope_id) : undefined
      if (ack && message.envelope_id) {
        this.#acks.delete(message.envelope_id)
        ack(message.payload ?? {})
      }
    })
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.connections.length,
        connection_info: { app_id: 'A0TEST' },
      }),
    )
    this.emit('record')
  }

  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate()
    this.#wss.close()
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  // ---- HTTP ----

  #check(where: string, problems: string[]): void {
    for (const problem of problems) this.problems.push(`${where}: ${problem}`)
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? ''
    const raw = await readBody(req)
    if (path.startsWith('/response/')) {
      const body = JSON.parse(raw) as Record<string, unknown>
      if (this.responseStatus !== 200) {
        res.writeHead(this.responseStatus, { 'content-type': 'text/plain' }).end('expired_url')
        return
      }
      this.#check(`response_url ${path}`, messageProblems(body))
      this.responses.push({ id: path.slice('/response/'.length), body })
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
      this.emit('record')
      return
    }
    if (!path.startsWith('/api/')) {
      res.writeHead(404).end()
      return
    }
    const method = path.slice('/api/'.length)
    const params: Record<string, unknown> = {}
    if ((req.headers['content-type'] ?? '').startsWith('application/json'))
      Object.assign(params, JSON.parse(raw || '{}'))
    else for (const [key, value] of new URLSearchParams(raw)) params[key] = json(value)
    const token = req.headers.authorization?.replace(/^Bearer /, '')
    const answer = this.#answer(method, params, token)
    this.calls.push({
      method,
      params,
      token,
      status: answer.status,
      error: answer.body.ok === false ? String(answer.body.error) : undefined,
      result: answer.body,
    })
    res
      .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
      .end(JSON.stringify(answer.body))
    this.emit('record')
  }

  #answer(method: string, params: Record<string, unknown>, token: string | undefined): Answer {
    const limited = this.#rateLimits.get(method)
    if (limited && limited.count > 0) {
      limited.count--
      return {
        status: 429,
        body: { ok: false, error: 'ratelimited' },
        headers: { 'retry-after': String(limited.retryAfter) },
      }
    }
    const failure = this.#failures.get(method)
    if (failure && failure.count > 0) {
      failure.count--
      return { status: failure.status, body: { ok: false, error: failure.error } }
    }
    const expected = method === 'apps.connections.open' ? APP_TOKEN : BOT_TOKEN
    if (token !== expected) return { status: 200, body: { ok: false, error: 'invalid_auth' } }
    const ok = (body: Record<string, unknown> = {}): Answer => ({ status: 200, body: { ok: true, ...body } })
    const refuse = (error: string): Answer => ({ status: 200, body: { ok: false, error } })
    switch (method) {
      case 'auth.test':
        return ok({ user_id: BOT_USER, bot_id: 'B0BOT', team_id: 'T0TEAM', user: 'xen-chatops' })
      case 'apps.connections.open':
        return ok({ url: `${this.url.replace(/^http/, 'ws')}/socket-mode` })
      case 'chat.postMessage': {
        this.#check('chat.postMessage', messageProblems(params))
        const channel = String(params.channel)
        if (this.notJoined.has(channel)) return refuse('not_in_channel')
        const ts = `1700000000.${String(++this.#seq).padStart(6, '0')}`
        this.messages.set(`${channel}:${ts}`, {
          channel,
          ts,
          text: String(params.text ?? ''),
          blocks: (params.blocks as unknown[]) ?? [],
        })
        return ok({ channel, ts, message: { text: params.text, blocks: params.blocks } })
      }
      case 'chat.update': {
        this.#check('chat.update', messageProblems(params))
        const message = this.messages.get(`${String(params.channel)}:${String(params.ts)}`)
        if (!message) return refuse('message_not_found')
        message.text = String(params.text ?? '')
        message.blocks = (params.blocks as unknown[]) ?? []
        return ok({ channel: message.channel, ts: message.ts })
      }
      case 'chat.postEphemeral':
        this.#check('chat.postEphemeral', messageProblems(params))
        return ok({ message_ts: `1700000000.${String(++this.#seq).padStart(6, '0')}` })
      case 'views.open': {
        const trigger = this.#triggers.get(String(params.trigger_id))
        if (trigger !== 'fresh')
          return refuse(
            trigger === 'used'
              ? 'exchanged_trigger_id'
              : trigger === 'expired'
                ? 'expired_trigger_id'
                : 'invalid_trigger_id',
          )
        this.#triggers.set(String(params.trigger_id), 'used')
        this.#check('views.open', viewProblems(params.view))
        const id = `V${String(++this.#seq).padStart(8, '0')}`
        const view = { id, hash: `hash-${id}`, ...(params.view as Record<string, unknown>) }
        this.#views.set(id, view)
        return ok({ view })
      }
      case 'usergroups.users.list': {
        const users = this.usergroups.get(String(params.usergroup))
        return users ? ok({ users }) : refuse('no_such_subteam')
      }
      default:
        return refuse('unknown_method')
    }
  }
}
