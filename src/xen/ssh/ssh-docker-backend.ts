/**
 * The Docker backend over SSH (modern pools, issue #10): dockerode speaking the Engine API through one
 * persistent SSH connection per VM (ssh-docker-agent.ts), logged in as the VM's `xscontainer-username`
 * (`core` when unset, as xscontainer does) with the bot's key, the host key pinned on first use. Each
 * VM's calls go through a small concurrency cap and every call has a deadline (dockerode can wait
 * forever on a cut answer, docker-over-ssh.md §4.1). Where the VM is reached comes from an injected
 * resolver: `ip:22` in production, the simulator's loopback ports in the demo and tests.
 */
import Docker from 'dockerode'
import type { ConnectConfig } from 'ssh2'
import { UserError } from '../../core/errors.js'
import type { HostKeyStore } from '../../core/host-keys.js'
import type { Container, ContainerAction, ContainerProcessList, DockerBackend, VmSummary } from '../../core/ports.js'
import type { BotIdentity } from './bot-identity.js'
import { type DockerContainerInfo, toContainer } from './container-list.js'
import { CAUSES } from './diagnosis.js'
import { logLines } from './docker-logs.js'
import type { Endpoint } from './guest-session.js'
import { pinningVerifier } from './host-key-policy.js'
import { Limiter } from './limiter.js'
import { type DockerTransport, SshDockerAgent } from './ssh-docker-agent.js'
import { DeadlineError, translateSshError } from './ssh-errors.js'

/** Where a guest's SSH server is reached for an IP: `{ host: ip, port: 22 }` in production. */
export type EndpointResolver = (ip: string) => Promise<Endpoint>

export const productionEndpoint: EndpointResolver = async (ip) => ({ host: ip, port: 22 })

/** The account xscontainer (and so the bot) logs in as when `xscontainer-username` is unset. */
export const DEFAULT_SSH_USER = 'core'

/** Calls that change nothing, so a retry after a dropped connection cannot do anything twice. */
const READS = new Set(['list', 'inspect', 'top', 'logs', 'stats', 'ping'])

const isHangUp = (error: unknown) =>
  (error as { code?: string }).code === 'ECONNRESET' || /socket hang up/.test(String((error as Error).message))

/** Docker's container name pattern, or a hex id: nothing else reaches a request path. */
const CONTAINER_REF = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/

export interface SshBackendOptions {
  readonly identity: BotIdentity
  readonly hostKeys: HostKeyStore
  readonly resolveEndpoint: EndpointResolver
  readonly transport?: DockerTransport | undefined
  /** Each Docker call, end to end. */
  readonly callTimeoutMs?: number | undefined
  /** The SSH handshake and login. */
  readonly readyTimeoutMs?: number | undefined
  /** ssh2 keepalive: a guest that stops answering fails after about interval × (3 + 1). */
  readonly keepaliveIntervalMs?: number | undefined
  /** Concurrent calls per VM. */
  readonly concurrency?: number | undefined
  /** Bytes of log text one answer carries at most. */
  readonly maxLogBytes?: number | undefined
}

/**
 * The dockerode calls used here, as dockerode 5 runs them: every one takes `abortSignal` (lib/container.js
 * passes it to docker-modem) though @types/dockerode 4 types few of them that way.
 */
interface ContainerCalls {
  inspect(opts: { abortSignal: AbortSignal }): Promise<Record<string, unknown>>
  top(opts: { abortSignal: AbortSignal }): Promise<{ Titles?: string[]; Processes?: string[][] }>
  logs(opts: {
    stdout: boolean
    stderr: boolean
    tail: number
    follow: false
    abortSignal: AbortSignal
  }): Promise<Buffer | string>
  stats(opts: { stream: false; abortSignal: AbortSignal }): Promise<Record<string, unknown>>
  start(opts: { abortSignal: AbortSignal }): Promise<unknown>
  stop(opts: { abortSignal: AbortSignal }): Promise<unknown>
  restart(opts: { abortSignal: AbortSignal }): Promise<unknown>
  pause(opts: { abortSignal: AbortSignal }): Promise<unknown>
  unpause(opts: { abortSignal: AbortSignal }): Promise<unknown>
}

const containerOf = (docker: Docker, id: string) => docker.getContainer(id) as unknown as ContainerCalls

interface VmConnection {
  /** Address and account the connection was made for: a change means a new connection. */
  readonly signature: string
  readonly agent: SshDockerAgent
  readonly docker: Docker
  readonly limiter: Limiter
  mismatch: () => Error | undefined
}

export class SshDockerBackend implements DockerBackend {
  readonly kind = 'ssh' as const
  readonly #options: SshBackendOptions
  readonly #connections = new Map<string, VmConnection>()

  constructor(options: SshBackendOptions) {
    this.#options = options
  }

  async list(vm: VmSummary): Promise<readonly Container[]> {
    const infos = await this.#call(vm, 'list', undefined, (docker, abortSignal) =>
      docker.listContainers({ all: true, abortSignal }),
    )
    return (infos as DockerContainerInfo[]).map(toContainer)
  }

  inspect(vm: VmSummary, container: string): Promise<Readonly<Record<string, unknown>>> {
    return this.#call(vm, 'inspect', container, (docker, abortSignal) =>
      containerOf(docker, container).inspect({ abortSignal }),
    )
  }

  async top(vm: VmSummary, container: string): Promise<ContainerProcessList> {
    const top = await this.#call(vm, 'top', container, (docker, abortSignal) =>
      containerOf(docker, container).top({ abortSignal }),
    )
    return { titles: top.Titles ?? [], processes: top.Processes ?? [] }
  }

  async act(vm: VmSummary, container: string, action: ContainerAction): Promise<void> {
    await this.#call(vm, action, container, (docker, abortSignal) =>
      containerOf(docker, container)[action]({ abortSignal }),
    )
  }

  async logs(vm: VmSummary, container: string, options: { readonly tail: number }): Promise<readonly string[]> {
    const tail = Math.max(0, Math.min(10_000, Math.floor(options.tail)))
    const buffer = await this.#call(vm, 'logs', container, (docker, abortSignal) =>
      containerOf(docker, container).logs({ stdout: true, stderr: true, tail, follow: false, abortSignal }),
    )
    return logLines(Buffer.isBuffer(buffer) ? buffer : Buffer.from(String(buffer)), {
      tail,
      maxBytes: this.#options.maxLogBytes ?? 16 * 1024,
    })
  }

  stats(vm: VmSummary, container: string): Promise<Readonly<Record<string, unknown>>> {
    return this.#call(vm, 'stats', container, (docker, abortSignal) =>
      containerOf(docker, container).stats({ stream: false, abortSignal }),
    )
  }

  /** Docker answers ping over the VM's SSH connection (used to wait for a freshly enabled VM). */
  async ping(vm: VmSummary): Promise<void> {
    await this.#call(vm, 'ping', undefined, (docker, abortSignal) =>
      (docker as unknown as { ping(opts: { abortSignal: AbortSignal }): Promise<unknown> }).ping({ abortSignal }),
    )
  }

  /** Drops a VM's connection, so the next call logs in afresh (after its key or host key changed). */
  forget(vmUuid: string): void {
    this.#connections.get(vmUuid)?.agent.destroy()
    this.#connections.delete(vmUuid)
  }

  close(): void {
    for (const uuid of [...this.#connections.keys()]) this.forget(uuid)
  }

  async #call<T>(
    vm: VmSummary,
    action: string,
    container: string | undefined,
    fn: (docker: Docker, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (container !== undefined && !CONTAINER_REF.test(container)) {
      throw new UserError(
        'docker.invalid_container',
        `"${container}" is not a container name or id (letters, digits, _ . - only); run /docker ps ${vm.name} to see them`,
      )
    }
    if (vm.power !== 'running') {
      throw new UserError(
        'vm.not_running',
        `${vm.name} is ${vm.power}: Docker answers only in a running VM; start it first`,
      )
    }
    if (!vm.ip) throw new UserError('ssh.network', `${vm.name} reports no IP address. ${CAUSES.network}`)
    const user = vm.docker.sshUser ?? DEFAULT_SSH_USER
    const connection = this.#connection(vm, vm.ip, user)
    const context = { vm: vm.name, user, address: vm.ip, container, action }
    const attempt = () => withDeadline(this.#options.callTimeoutMs ?? 20_000, (signal) => fn(connection.docker, signal))
    return connection.limiter.run(async () => {
      try {
        try {
          return await attempt()
        } catch (error) {
          // A pooled channel that died with its connection just as a request was written on it (the
          // keep-alive race, docker-over-ssh.md §4.6): a read is safely asked again, once, on a fresh
          // channel; an action is not, since Docker may already have done it.
          if (!READS.has(action) || !isHangUp(error)) throw error
          return await attempt()
        }
      } catch (error) {
        throw translateSshError(connection.mismatch() ?? error, context)
      }
    })
  }

  #connection(vm: VmSummary, ip: string, user: string): VmConnection {
    const signature = `${user}@${ip}`
    const existing = this.#connections.get(vm.uuid)
    if (existing?.signature === signature) return existing
    if (existing) this.forget(vm.uuid)
    const options = this.#options
    const concurrency = options.concurrency ?? 4
    const agent = new SshDockerAgent({
      transport: options.transport ?? 'dial-stdio',
      maxSockets: concurrency,
      connectConfig: async (): Promise<ConnectConfig> => {
        const endpoint = await options.resolveEndpoint(ip)
        const verifier = pinningVerifier(options.hostKeys, vm)
        connection.mismatch = verifier.mismatch
        return {
          host: endpoint.host,
          port: endpoint.port,
          username: user,
          privateKey: options.identity.privateKey,
          hostVerifier: verifier.verify,
          readyTimeout: options.readyTimeoutMs ?? 10_000,
          keepaliveInterval: options.keepaliveIntervalMs ?? 10_000,
          keepaliveCountMax: 3,
        }
      },
    })
    // host and port only fill the Host header: the agent decides where bytes go. A variable, not a
    // literal: @types/dockerode has no `agent` option (docker-over-ssh.md §3.4).
    const dockerOptions = { protocol: 'http' as const, host: 'docker', port: 2375, agent }
    const connection: VmConnection = {
      signature,
      agent,
      docker: new Docker(dockerOptions),
      limiter: new Limiter(concurrency),
      mismatch: () => undefined,
    }
    this.#connections.set(vm.uuid, connection)
    return connection
  }
}

/**
 * Runs `fn` with an AbortSignal and rejects with DeadlineError after `ms`: the abort ends requests
 * still waiting, and the race ends the ones the abort cannot (a body cut after the headers).
 */
export async function withDeadline<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new DeadlineError(ms))
      controller.abort()
    }, ms)
  })
  try {
    const call = fn(controller.signal)
    // A call that fails after the deadline won must not become an unhandled rejection.
    call.catch(() => undefined)
    return await Promise.race([call, deadline])
  } finally {
    clearTimeout(timer)
  }
}
