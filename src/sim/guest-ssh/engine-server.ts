/**
 * One guest's /var/run/docker.sock: an HTTP server speaking the Engine API (engine-api.ts) over the
 * guest's DockerDaemon. It listens on 127.0.0.1 (an ephemeral port stands in for the unix socket, so
 * nothing is left in the file system); the guest's sshd connects each dial-stdio or stream-local
 * channel to it. Fault hooks let a test hold a request at the daemon (to change the world while it
 * is in flight), cut an answer after part of its body, or drop the connection before any answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { DockerDaemon } from '../docker/docker-daemon.js'
import { handleEngineRequest } from './engine-api.js'

export type EngineFaultKind = 'hold' | 'truncate' | 'drop'

/** A request held at the daemon: `reached` resolves when it arrives; `release` lets it be answered. */
export interface HeldRequest {
  readonly reached: Promise<string>
  release(): void
}

interface PendingFault {
  readonly method: string | undefined
  readonly path: RegExp
  readonly kind: EngineFaultKind
  arrived?: (url: string) => void
  released?: Promise<void>
}

export class EngineServer {
  readonly #daemon: DockerDaemon
  readonly #server: Server
  readonly #sockets = new Set<Socket>()
  #faults: PendingFault[] = []
  #listening: Promise<number> | undefined
  /** Requests answered, by `METHOD path` (prefix stripped): what a client really asked the daemon. */
  readonly requests: string[] = []

  constructor(daemon: DockerDaemon) {
    this.#daemon = daemon
    this.#server = createServer((req, res) => void this.#handle(req, res))
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    })
  }

  /** Starts listening (once); resolves with the port. */
  listen(): Promise<number> {
    this.#listening ??= new Promise((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(0, '127.0.0.1', () => resolve((this.#server.address() as AddressInfo).port))
    })
    return this.#listening
  }

  /**
   * The next request whose path matches (method too, when given) is held until released. Keep
   * `reached` to know the client's call is in flight.
   */
  hold(path: RegExp, method?: string): HeldRequest {
    let release = () => {}
    const fault: PendingFault = { path, method, kind: 'hold' }
    fault.released = new Promise<void>((resolve) => {
      release = resolve
    })
    const reached = new Promise<string>((resolve) => {
      fault.arrived = resolve
    })
    this.#faults.push(fault)
    return { reached, release }
  }

  /** The next matching answer is cut: its headers and part of its body, then the connection drops. */
  truncate(path: RegExp, method?: string): void {
    this.#faults.push({ path, method, kind: 'truncate' })
  }

  /** The next matching request gets no answer: the connection drops as it arrives. */
  drop(path: RegExp, method?: string): void {
    this.#faults.push({ path, method, kind: 'drop' })
  }

  async close(): Promise<void> {
    if (!this.#listening) return
    for (const socket of this.#sockets) socket.destroy()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #takeFault(req: IncomingMessage): PendingFault | undefined {
    const path = (req.url ?? '/').replace(/^\/v1\.\d+(?=\/)/, '').split('?')[0] ?? '/'
    const index = this.#faults.findIndex(
      (f) => f.path.test(path) && (f.method === undefined || f.method === req.method),
    )
    if (index < 0) return undefined
    const [fault] = this.#faults.splice(index, 1)
    return fault
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fault = this.#takeFault(req)
    if (fault?.kind === 'drop') {
      req.socket.destroy()
      return
    }
    if (fault?.kind === 'hold') {
      fault.arrived?.(req.url ?? '/')
      await fault.released
    }
    if (fault?.kind === 'truncate') cutAfterHalf(res)
    this.requests.push(`${req.method} ${(req.url ?? '/').replace(/^\/v1\.\d+(?=\/)/, '').split('?')[0]}`)
    // A daemon that is down (the VM halted) closes the connection: that is all a client would see.
    if (!handleEngineRequest(this.#daemon, req, res)) req.socket.destroy()
  }
}

/** Replaces `res.end` so only the headers and the first half of the body go out before the socket drops. */
function cutAfterHalf(res: ServerResponse): void {
  const socket = res.socket
  res.end = ((chunk?: unknown) => {
    const body = typeof chunk === 'string' || Buffer.isBuffer(chunk) ? Buffer.from(chunk) : Buffer.alloc(0)
    res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => socket?.destroy())
    return res
  }) as ServerResponse['end']
}
