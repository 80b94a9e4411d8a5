/**
 * The gateway half of the fake Discord (chat-platforms.md §3.3, §4.2): HELLO at once, IDENTIFY →
 * READY + GUILD_CREATE (one server, its text channels and roles), HEARTBEAT → ACK, RESUME → RESUMED,
 * and dispatches (INTERACTION_CREATE) to every connected client. A wrong token closes with 4004, as
 * Discord does.
 */
import type { ApplicationFlags, GatewayReadyDispatchData } from 'discord.js'
import { type WebSocket, WebSocketServer } from 'ws'

export interface GatewayWorld {
  readonly token: string
  readonly appId: string
  readonly botUser: { readonly id: string; readonly username: string }
  readonly resumeUrl: string
  /** The GUILD_CREATE payload (typed loosely: Discord's full guild object has ~60 fields discord.js does not need). */
  guildCreate(): Record<string, unknown>
  readonly guildId: string
}

/** Heartbeats every 1 s: enough to exercise them, quiet enough for a test run. */
const HEARTBEAT_MS = 1_000

export class FakeGateway {
  readonly wss = new WebSocketServer({ noServer: true })
  /** What each IDENTIFY carried (token, intents, shard…). */
  readonly identifies: Record<string, unknown>[] = []
  readonly #world: GatewayWorld
  readonly #sockets = new Set<WebSocket>()
  #seq = 0
  #ready: (() => void)[] = []

  constructor(world: GatewayWorld) {
    this.#world = world
    this.wss.on('connection', (socket) => this.#connected(socket))
  }

  get connections(): number {
    return this.#sockets.size
  }

  /** Resolves once a client has identified and been sent READY. */
  identified(): Promise<void> {
    if (this.identifies.length > 0 && this.#sockets.size > 0) return Promise.resolve()
    return new Promise((resolve) => this.#ready.push(resolve))
  }

  dispatch(t: string, d: unknown): void {
    const frame = JSON.stringify({ op: 0, t, s: ++this.#seq, d })
    for (const socket of this.#sockets) socket.send(frame)
  }

  close(): void {
    for (const socket of this.#sockets) socket.terminate()
    this.wss.close()
  }

  #connected(socket: WebSocket): void {
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: HEARTBEAT_MS } }))
    socket.on('close', () => this.#sockets.delete(socket))
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> }
      if (frame.op === 1) socket.send(JSON.stringify({ op: 11 }))
      else if (frame.op === 2) this.#identify(socket, frame.d)
      else if (frame.op === 6) {
        this.#sockets.add(socket)
        socket.send(JSON.stringify({ op: 0, t: 'RESUMED', s: ++this.#seq, d: {} }))
      }
    })
  }

  #identify(socket: WebSocket, d: Record<string, unknown>): void {
    this.identifies.push(d)
    if (d.token !== this.#world.token) {
      socket.close(4004, 'Authentication failed.')
      return
    }
    this.#sockets.add(socket)
    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: {
        id: this.#world.botUser.id,
        username: this.#world.botUser.username,
        discriminator: '0',
        global_name: null,
        avatar: null,
        bot: true,
      },
      guilds: [{ id: this.#world.guildId, unavailable: true }],
      session_id: 'fake-session',
      resume_gateway_url: this.#world.resumeUrl,
      shard: [0, 1],
      application: { id: this.#world.appId, flags: 0 as ApplicationFlags, flags_new: '0' },
    }
    socket.send(JSON.stringify({ op: 0, t: 'READY', s: ++this.#seq, d: ready }))
    socket.send(JSON.stringify({ op: 0, t: 'GUILD_CREATE', s: ++this.#seq, d: this.#world.guildCreate() }))
    for (const resolve of this.#ready.splice(0)) resolve()
  }
}
