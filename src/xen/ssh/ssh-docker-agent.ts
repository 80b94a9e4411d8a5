/**
 * dockerode's transport to one guest (docker-over-ssh.md §3, the recommended route): a keep-alive
 * http.Agent whose sockets are channels of ONE persistent ssh2 connection — `docker system dial-stdio`
 * exec channels, or `direct-streamlocal@openssh.com` to /var/run/docker.sock. The connection is made
 * lazily, forgotten when it closes, and made again by the next request. Credentials live only in the
 * connect callback, never on a property, and `util.inspect` prints the agent's name (docker-modem
 * inspects its request options, agent included, on every call: §3.2 detail 4).
 */
import { Agent, type ClientRequestArgs } from 'node:http'
import type { Duplex } from 'node:stream'
import ssh2, { type Client, type ConnectConfig } from 'ssh2'
import { channelAsSocket, earlyFailure } from './channel-socket.js'
import { GUEST_COMMANDS, SOCKET_PATH } from './guest-commands.js'

export type DockerTransport = 'dial-stdio' | 'streamlocal'

const DIAL_STDIO = GUEST_COMMANDS.dialStdio

export interface SshDockerAgentOptions {
  /** The full ssh2 connect config, asked for each time a connection is made (endpoint, key, host verifier). */
  readonly connectConfig: () => Promise<ConnectConfig>
  readonly transport: DockerTransport
  /** Channels (so daemon connections) at most; callers also cap concurrency above (§3.2 detail 3). */
  readonly maxSockets?: number | undefined
}

export class SshDockerAgent extends Agent {
  readonly #connectConfig: () => Promise<ConnectConfig>
  readonly #transport: DockerTransport
  #client: Promise<Client> | undefined
  #closed = false
  /** SSH connections made so far (a test checks that calls share one). */
  connectionsMade = 0

  constructor(options: SshDockerAgentOptions) {
    super({ keepAlive: true, maxSockets: options.maxSockets ?? 4, scheduling: 'lifo' })
    this.#connectConfig = options.connectConfig
    this.#transport = options.transport
  }

  /** Node's Agent calls this for a new socket; the channel arrives through `callback`. */
  override createConnection(_options: ClientRequestArgs, callback: (error: Error | null, socket?: Duplex) => void) {
    this.connection()
      .then((client) => this.#openChannel(client))
      .then(
        (socket) => callback(null, socket),
        (error: Error) => callback(error),
      )
    return undefined as unknown as Duplex
  }

  /** The SSH connection, made when there is none (concurrent callers share one attempt). */
  connection(): Promise<Client> {
    if (this.#closed) return Promise.reject(new Error('the SSH connection to this VM was closed'))
    if (this.#client) return this.#client
    const attempt = this.#connect()
    this.#client = attempt
    attempt.then(
      (client) => client.once('close', () => this.#forget(attempt)),
      () => this.#forget(attempt),
    )
    return attempt
  }

  /** Ends the SSH connection and drops pooled channels; the agent can connect again afterwards. */
  reset(): void {
    const current = this.#client
    this.#client = undefined
    void current?.then(
      (client) => client.end(),
      () => undefined,
    )
  }

  override destroy(): void {
    this.#closed = true
    super.destroy()
    this.reset()
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'SshDockerAgent'
  }

  #forget(attempt: Promise<Client>): void {
    if (this.#client === attempt) this.#client = undefined
  }

  async #connect(): Promise<Client> {
    const config = await this.#connectConfig()
    this.connectionsMade++
    const client = new ssh2.Client()
    return new Promise<Client>((resolve, reject) => {
      let ready = false
      client.once('ready', () => {
        ready = true
        resolve(client)
      })
      client.on('error', (error) => {
        // Before 'ready' the connect failed; after it, the channels in use get their own errors and
        // the 'close' that follows makes the next request connect again (§3.2 detail 5).
        if (!ready) reject(error)
      })
      client.connect(config)
    })
  }

  #openChannel(client: Client): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      // After I/O already received is processed (a command that failed at once), the channel either is
      // refused here with its reason, or handed over: Node attaches the request within the same tick.
      const handOver = (socket: Duplex) =>
        setImmediate(() => {
          const failure = earlyFailure(socket)
          if (failure) reject(failure)
          else resolve(socket)
        })
      if (this.#transport === 'streamlocal') {
        client.openssh_forwardOutStreamLocal(SOCKET_PATH, (error, channel) =>
          error ? reject(error) : handOver(channelAsSocket(channel)),
        )
      } else {
        client.exec(DIAL_STDIO, (error, channel) =>
          error ? reject(error) : handOver(channelAsSocket(channel, DIAL_STDIO)),
        )
      }
    })
  }
}
