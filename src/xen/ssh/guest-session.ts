/**
 * A short SSH session into a guest for the fixed commands of guest-commands.ts (key installation, the
 * diagnosis checks): log in with the bot's key or a one-time password, run commands by name with
 * their stdin, read exit status and bounded output, end. The host key is checked against the pin like
 * every other connection. A one-time password lives only in the connect call; it is never stored on
 * the session, logged, or put in an error.
 */
import { connect } from 'node:net'
import ssh2, { type Client, type ConnectConfig } from 'ssh2'
import type { HostKeyStore } from '../../core/host-keys.js'
import type { VmSummary } from '../../core/ports.js'
import type { Cause } from './diagnosis.js'
import { GUEST_COMMANDS } from './guest-commands.js'
import { HostKeyChangedError, pinningVerifier } from './host-key-policy.js'

export interface Endpoint {
  readonly host: string
  readonly port: number
}

export type SshAuth = { readonly privateKey: string } | { readonly password: string }

export interface SessionTarget {
  readonly vm: Pick<VmSummary, 'uuid' | 'name' | 'pool'>
  readonly endpoint: Endpoint
  readonly username: string
}

export interface SessionTuning {
  /** SSH handshake and login (ssh2 `readyTimeout`). */
  readonly readyTimeoutMs?: number | undefined
  /** Each command. */
  readonly commandTimeoutMs?: number | undefined
}

export interface CommandResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const OUTPUT_CAP = 64 * 1024

/** A connect failure with the stage it failed at (ssh2's `level`), and the host key mismatch when that was it. */
export class SshConnectError extends Error {
  override readonly cause: unknown
  readonly level: string | undefined

  constructor(error: unknown) {
    super(error instanceof Error ? error.message : String(error))
    this.name = 'SshConnectError'
    this.cause = error
    this.level = (error as { level?: string }).level
  }
}

export class GuestSession {
  readonly #client: Client
  readonly #commandTimeoutMs: number

  constructor(client: Client, commandTimeoutMs: number) {
    this.#client = client
    this.#commandTimeoutMs = commandTimeoutMs
  }

  /** Runs one of the fixed commands; `stdin` is written and closed (keys travel this way). */
  run(name: keyof typeof GUEST_COMMANDS, stdin?: string): Promise<CommandResult> {
    const command = GUEST_COMMANDS[name]
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`'${name}' did not finish within ${this.#commandTimeoutMs} ms`)),
        this.#commandTimeoutMs,
      )
      this.#client.exec(command, (error, channel) => {
        if (error) {
          clearTimeout(timer)
          return reject(error)
        }
        let stdout = ''
        let stderr = ''
        let code: number | null = null
        channel.on('data', (chunk: Buffer) => {
          if (stdout.length < OUTPUT_CAP) stdout += chunk.toString('utf8')
        })
        channel.stderr.on('data', (chunk: Buffer) => {
          if (stderr.length < OUTPUT_CAP) stderr += chunk.toString('utf8')
        })
        channel.on('exit', (exitCode: number | null) => {
          code = exitCode
        })
        channel.on('close', () => {
          clearTimeout(timer)
          resolve({ code, stdout, stderr })
        })
        channel.end(stdin)
      })
    })
  }

  end(): void {
    this.#client.end()
  }
}

/**
 * Logs in; rejects with HostKeyChangedError when the VM's key differs from its pin, else with an
 * SshConnectError carrying ssh2's stage.
 */
export function openGuestSession(
  target: SessionTarget,
  auth: SshAuth,
  hostKeys: HostKeyStore,
  tuning: SessionTuning = {},
): Promise<GuestSession> {
  const verifier = pinningVerifier(hostKeys, target.vm)
  const client = new ssh2.Client()
  const config: ConnectConfig = {
    host: target.endpoint.host,
    port: target.endpoint.port,
    username: target.username,
    readyTimeout: tuning.readyTimeoutMs ?? 10_000,
    hostVerifier: verifier.verify,
    // Only what was given: a password login never falls back to anything else, and the reverse.
    ...('password' in auth ? { password: auth.password, tryKeyboard: false } : { privateKey: auth.privateKey }),
  }
  return new Promise((resolve, reject) => {
    let settled = false
    client.once('ready', () => {
      settled = true
      resolve(new GuestSession(client, tuning.commandTimeoutMs ?? 30_000))
    })
    client.on('error', (error) => {
      if (settled) return
      settled = true
      reject(verifier.mismatch() ?? new SshConnectError(error))
    })
    client.connect(config)
  })
}

/**
 * xscontainer's diagnosis for a login that failed (§3.4 checks 1 to 4): nothing speaking SSH at the
 * address (refused, reset before the banner, no answer in time) is check 1; a refused login is check 2;
 * a changed host key check 3; anything else check 4.
 */
export function sshFailureCause(error: unknown): Cause {
  if (error instanceof HostKeyChangedError) return 'hostKey'
  const level = (error as { level?: string }).level
  if (level === 'client-authentication') return 'auth'
  if (level === 'client-timeout' || level === 'client-socket') return 'network'
  return /before handshake/i.test(error instanceof Error ? error.message : '') ? 'network' : 'ssh'
}

/**
 * The "port 22 probe": true when something at the endpoint greets with an SSH banner within the time,
 * as xscontainer's IP choice tries a TCP connect (§3.1) — a listener that closes at once is no sshd.
 */
export function probeSsh(endpoint: Endpoint, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: endpoint.host, port: endpoint.port })
    let greeting = ''
    const done = (ok: boolean) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    socket.on('data', (chunk: Buffer) => {
      greeting += chunk.toString('latin1')
      if (greeting.includes('\n')) done(greeting.startsWith('SSH-'))
    })
    socket.once('error', () => done(false))
    socket.once('close', () => done(greeting.startsWith('SSH-')))
  })
}
