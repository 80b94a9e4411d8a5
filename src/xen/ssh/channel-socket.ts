/**
 * An ssh2 channel dressed as the net.Socket Node's HTTP client and keep-alive agent expect
 * (docker-over-ssh.md §3.2, details 1 and 2): the socket methods the agent calls as no-ops, a real idle
 * `setTimeout`, a `destroy(err)` that keeps its error (ssh2's drops it), and — for dial-stdio — a
 * non-zero exit of the remote command turned into an error that names the command and its stderr.
 */
import type { Duplex } from 'node:stream'
import type { ClientChannel } from 'ssh2'

/** The remote `docker system dial-stdio` (or another exec route) ended with a failure status. */
export class RemoteCommandError extends Error {
  readonly code = 'EDIALSTDIO'
  readonly exitCode: number
  readonly stderr: string

  constructor(command: string, exitCode: number, stderr: string) {
    super(`remote '${command}' exited ${exitCode}${stderr ? `: ${stderr}` : ''}`)
    this.name = 'RemoteCommandError'
    this.exitCode = exitCode
    this.stderr = stderr
  }
}

const STDERR_CAP = 4096

type SocketLike = ClientChannel & {
  setKeepAlive(): SocketLike
  setNoDelay(): SocketLike
  ref(): SocketLike
  unref(): SocketLike
  destroySoon(): void
  setTimeout(ms: number, callback?: () => void): SocketLike
  /** Set by Node's HTTP client while a request uses this socket (a Node internal). */
  _httpMessage?: unknown
}

/** How a channel ended before any request could use it (dial-stdio failing at once), if it did. */
const endedEarly = new WeakMap<Duplex, () => Error | undefined>()

/**
 * The reason a fresh channel is already unusable: its command exited (with the exit status and stderr)
 * or it closed. ssh2 may process a failing command's exit status and close in the same read as the
 * exec reply, before Node's HTTP client attaches a request that could hear about it.
 */
export function earlyFailure(socket: Duplex): Error | undefined {
  return endedEarly.get(socket)?.()
}

export function channelAsSocket(channel: ClientChannel, command?: string): Duplex {
  const socket = channel as SocketLike
  socket.setKeepAlive = () => socket
  socket.setNoDelay = () => socket
  socket.ref = () => socket
  socket.unref = () => socket
  socket.destroySoon = () => socket.end()

  // An idle timer re-armed by traffic both ways, as net.Socket#setTimeout behaves.
  let idleMs = 0
  let timer: NodeJS.Timeout | undefined
  const arm = () => {
    clearTimeout(timer)
    timer = idleMs > 0 ? setTimeout(() => socket.emit('timeout'), idleMs) : undefined
    timer?.unref()
  }
  socket.setTimeout = (ms, callback) => {
    idleMs = ms
    if (callback) {
      // net.Socket: a callback joins for a positive timeout and is removed by setTimeout(0, cb).
      if (ms > 0) socket.once('timeout', callback)
      else socket.removeListener('timeout', callback)
    }
    arm()
    return socket
  }
  socket.on('data', arm)
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean
  socket.write = ((...args: unknown[]) => {
    arm()
    return write(...args)
  }) as typeof socket.write

  // ssh2's Channel#destroy is end() + close() and drops the error; Node's HTTP client relies on it.
  const destroy = socket.destroy.bind(socket)
  socket.destroy = ((error?: Error) => {
    if (error) process.nextTick(() => socket.emit('error', error))
    return destroy()
  }) as typeof socket.destroy
  // Registered before the agent's own 'close' listener, so the agent sees a socket that is no longer
  // writable and drops it from its free pool too (Agent#removeSocket), as it would a net.Socket.
  socket.once('close', () => {
    clearTimeout(timer)
    idleMs = 0
    socket.destroyed = true
  })
  // ssh2 emits a client channel's 'close' only after its 'end', which a stream nobody reads never
  // emits: an idle pooled channel closed by the guest (or with its connection) would stay in the
  // agent's pool looking alive, and the next request written on it would wait forever. At the EOF,
  // let the rest flow out so 'end', then 'close', follow.
  const push = socket.push.bind(socket)
  socket.push = ((chunk: unknown, encoding?: BufferEncoding) => {
    const more = push(chunk, encoding)
    if (chunk === null) socket.resume()
    return more
  }) as typeof socket.push

  let exitError: RemoteCommandError | undefined
  let closed = false
  socket.once('close', () => {
    closed = true
  })
  endedEarly.set(socket, () => exitError ?? (closed ? new Error('the channel closed before any request') : undefined))
  if (command !== undefined) {
    let stderr = ''
    socket.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < STDERR_CAP) stderr += chunk.toString('utf8')
    })
    socket.on('exit', (code: number | null) => {
      if (code === null || code === 0) return
      // The stderr that came in the same read as the exit status may still sit in the stream's
      // buffer (its 'data' comes a tick later): read() hands it to the listener above now.
      socket.stderr.read()
      exitError = new RemoteCommandError(command, code, stderr.trim().slice(0, STDERR_CAP))
      // Only a request in flight has someone to tell; an idle pooled channel the guest closed is
      // simply dropped (an 'error' with no listener would take the process down).
      if (socket._httpMessage) socket.emit('error', exitError)
    })
  }
  return socket
}
