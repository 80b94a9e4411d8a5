/**
 * The sshd of one simulated guest: an ssh2 Server behind a listener on 127.0.0.1 (an ephemeral port
 * standing in for the VM's port 22). It reads the guest's SSH model (guest-ssh.ts) at every step, so
 * a test or the xscontainer emulation can change the guest while clients are connected: a VM that is
 * not running or has no sshd refuses the TCP connection before any banner; logins check passwords and
 * authorized_keys (publickey with a real signature check); exec channels run the fixed commands of
 * guest-exec.ts; `direct-streamlocal@openssh.com` to /var/run/docker.sock reaches the daemon. A changed
 * host key takes effect for the next connection.
 */
import { connect, createServer, type Server as NetServer, type Socket } from 'node:net'
import ssh2, { type AuthContext, type Connection } from 'ssh2'
import type { SimPool } from '../sim-pool.js'
import { EngineServer } from './engine-server.js'
import { SOCKET_PATH } from './guest-commands.js'
import { runExec } from './guest-exec.js'
import type { GuestSsh, GuestUser } from './guest-ssh.js'

/** What sshd of a Debian 12 guest announces (the ident after `SSH-2.0-`). */
const IDENT = 'OpenSSH_9.2p1 Debian-2+deb12u3'

export interface SshEndpoint {
  readonly host: string
  readonly port: number
}

/** A successful login, for tests that check how the client got in (and that it did not). */
export interface LoginRecord {
  readonly user: string
  readonly method: 'password' | 'publickey'
}

export class GuestSshServer {
  readonly #pool: SimPool
  readonly #vmRef: string
  readonly #listener: NetServer
  readonly #sockets = new Set<Socket>()
  #ssh: { readonly generation: number; readonly server: ssh2.Server } | undefined
  #listening: Promise<SshEndpoint> | undefined
  #engine: EngineServer | undefined
  /** TCP connections accepted (refused ones included): a client that never connected left this at 0. */
  connections = 0
  readonly logins: LoginRecord[] = []
  /** Command lines received on exec channels, in order. */
  readonly commands: string[] = []

  constructor(pool: SimPool, vmRef: string) {
    this.#pool = pool
    this.#vmRef = vmRef
    this.#listener = createServer((socket) => this.#accept(socket))
  }

  get vmRef(): string {
    return this.#vmRef
  }

  /** The guest's /var/run/docker.sock, with its fault hooks. */
  get engine(): EngineServer {
    const daemon = this.#pool.guests.get(this.#vmRef)?.docker
    if (!daemon) throw new Error(`VM ${this.#vmRef} runs no Docker engine`)
    this.#engine ??= new EngineServer(daemon)
    return this.#engine
  }

  listen(): Promise<SshEndpoint> {
    this.#listening ??= new Promise((resolve, reject) => {
      this.#listener.once('error', reject)
      this.#listener.listen(0, '127.0.0.1', () => {
        const address = this.#listener.address()
        if (address === null || typeof address === 'string') return reject(new Error('no TCP address'))
        resolve({ host: '127.0.0.1', port: address.port })
      })
    })
    return this.#listening
  }

  /** Fault: sshd drops every connection (a restart, a network cut); new ones are accepted as before. */
  dropConnections(): void {
    for (const socket of this.#sockets) socket.destroy()
  }

  async close(): Promise<void> {
    this.dropConnections()
    await this.#engine?.close()
    if (!this.#listening) return
    await new Promise<void>((resolve) => this.#listener.close(() => resolve()))
  }

  #guest(): GuestSsh | undefined {
    return this.#pool.guests.get(this.#vmRef)?.ssh
  }

  #running(): boolean {
    return this.#pool.store.has('VM', this.#vmRef) && this.#pool.store.get('VM', this.#vmRef).power_state === 'Running'
  }

  #accept(socket: Socket): void {
    this.connections++
    const guest = this.#guest()
    // No sshd, or the VM is not up: nothing answers on port 22.
    if (!guest?.server || !this.#running() || this.#pool.closed) {
      socket.destroy()
      return
    }
    this.#sockets.add(socket)
    socket.once('close', () => this.#sockets.delete(socket))
    // An ssh2 Server leaves Nagle on: ~45 ms more per connection on loopback (docker-over-ssh.md §4.7).
    socket.setNoDelay(true)
    this.#sshServer(guest).injectSocket(socket)
  }

  /** The ssh2 Server presenting the guest's current host key (a new one after changeHostKey). */
  #sshServer(guest: GuestSsh): ssh2.Server {
    if (this.#ssh?.generation !== guest.hostKeyGeneration) {
      const server = new ssh2.Server({ hostKeys: [guest.hostKey.private], ident: IDENT }, (client) =>
        this.#serve(client),
      )
      this.#ssh = { generation: guest.hostKeyGeneration, server }
    }
    return this.#ssh.server
  }

  #serve(client: Connection): void {
    let user: GuestUser | undefined
    // A client that goes away mid-handshake is an ordinary event for a server, not a failure of it.
    client.on('error', () => undefined)
    client.on('authentication', (ctx) => {
      const accepted = this.#authenticate(ctx)
      if (accepted === 'query') return ctx.accept()
      if (!accepted) return ctx.reject(['publickey', 'password'])
      user = accepted
      this.logins.push({ user: accepted.name, method: ctx.method as LoginRecord['method'] })
      ctx.accept()
    })
    client.on('ready', () => {
      const login = user
      if (!login) {
        client.end()
        return
      }
      client.on('session', (acceptSession) => {
        const session = acceptSession()
        session.on('exec', (acceptExec, _reject, info) => {
          const channel = acceptExec()
          this.commands.push(info.command)
          const guest = this.#guest()
          const daemon = this.#pool.guests.get(this.#vmRef)?.docker
          if (!guest) {
            channel.close()
            return
          }
          void runExec(
            { ssh: guest, user: login, daemon, engine: () => this.engine.listen() },
            info.command,
            channel,
          ).catch(() => channel.close())
        })
      })
      client.on('openssh.streamlocal', (accept, reject, info) => {
        const guest = this.#guest()
        const daemon = this.#pool.guests.get(this.#vmRef)?.docker
        // sshd opens the socket as the logged-in user: a missing socket or a user outside the docker
        // group makes the connect fail, which the client sees as a channel open failure.
        if (
          !guest?.streamLocal ||
          info.socketPath !== SOCKET_PATH ||
          guest.socketAccess(login.name, daemon?.up ?? false) !== 'ok'
        ) {
          reject()
          return
        }
        void this.engine.listen().then((port) => {
          const channel = accept()
          const socket = connect({ host: '127.0.0.1', port })
          channel.pipe(socket)
          socket.pipe(channel)
          socket.once('error', () => channel.close())
          channel.once('close', () => socket.destroy())
        }, reject)
      })
    })
  }

  /** The account a login attempt gets into; 'query' for a publickey probe without signature; undefined: refused. */
  #authenticate(ctx: AuthContext): GuestUser | 'query' | undefined {
    const guest = this.#guest()
    const user = guest?.users.get(ctx.username)
    if (!guest || !user) return undefined
    if (ctx.method === 'password') {
      return user.password !== undefined && ctx.password === user.password ? user : undefined
    }
    if (ctx.method === 'publickey') {
      const key = guest.authorizedKey(user.name, ctx.key.data)
      if (!key) return undefined
      if (!ctx.signature || !ctx.blob) return 'query'
      return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) ? user : undefined
    }
    return undefined
  }
}
