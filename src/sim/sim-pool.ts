/**
 * One simulated pool: its database, sessions, tasks, faults and handlers. The HTTP layer turns
 * requests into `call()`s; tests can also call it in-process. Later layers plug in through the
 * seams here: a plugin registry per host (xscontainer) and a guest model per VM (Docker guests).
 */
import { EventEmitter } from 'node:events'
import type { SimClock } from './clock.js'
import type { Datamodel, MessageModel } from './datamodel.js'
import { type CallResult, dispatch } from './dispatch.js'
import type { DockerDaemon } from './docker/docker-daemon.js'
import { eventFrom, eventInject } from './event-from.js'
import { EventLog } from './event-log.js'
import { FaultController } from './faults.js'
import type { GuestSsh } from './guest-ssh/guest-ssh.js'
import { registerDeviceHandlers } from './handlers/device-handlers.js'
import { registerVmHandlers } from './handlers/vm-handlers.js'
import { NULL_REF, ObjectStore } from './object-store.js'
import { type Credentials, SessionManager } from './sessions.js'
import { TaskRunner } from './tasks.js'
import { fault } from './xapi-fault.js'
import type { XscontainerPack } from './xscontainer/install.js'

export interface CallContext {
  readonly pool: SimPool
  readonly sessionRef: string | undefined
  readonly message: MessageModel
  /** The task an `Async.*` call runs under; xapi keys `current_operations` by it. */
  readonly taskRef: string | undefined
  /** Moves the enclosing task's progress; a no-op for synchronous calls. */
  progress(fraction: number): void
  /** Throws TASK_CANCELLED when the enclosing task was cancelled. */
  checkCancelled(): void
}

// biome-ignore lint/suspicious/noExplicitAny: parameters are already coerced to the datamodel's declared types.
export type Handler = (ctx: CallContext, ...args: any[]) => unknown

/** A plugin in dom0's /etc/xapi.d/plugins: `fn` and string arguments in, a string out. */
export type XapiPlugin = (
  ctx: CallContext,
  hostRef: string,
  fn: string,
  args: Record<string, string>,
) => Promise<string>

/** What the simulator knows about the OS inside a VM: whether it reports tools, its IPs, boot time. */
export interface GuestSpec {
  tools: boolean
  ips: string[]
  /** Simulated seconds from VM start until the guest agent reports its IPs. */
  bootSeconds: number
  distro: string
  /** How far an SSH client (dom0's xscontainer, the bot) gets into the guest: see guest-ssh/guest-ssh.ts. */
  ssh?: GuestSsh | undefined
  /** The guest's Docker engine, when it runs one. */
  docker?: DockerDaemon | undefined
}

export interface SimPoolEvents {
  /** A VM's power state changed (start, shutdown, reboot); `to` is the new XAPI power state. */
  'vm-power': [vmRef: string, from: string, to: string, how?: 'clean' | 'hard']
  /** A VM's guest agent reported (or stopped reporting) its metrics. */
  'guest-metrics': [vmRef: string]
}

export interface SimPoolOptions {
  readonly name: string
  readonly model: Datamodel
  readonly clock: SimClock
  readonly credentials: Credentials
}

export class SimPool {
  readonly name: string
  readonly model: Datamodel
  readonly clock: SimClock
  readonly credentials: Credentials
  readonly events: EventLog
  readonly store: ObjectStore
  readonly faults = new FaultController()
  readonly sessions: SessionManager
  readonly tasks: TaskRunner
  readonly handlers = new Map<string, Handler>()
  readonly hooks = new EventEmitter<SimPoolEvents>()
  /** Installed dom0 plugins per host ref. */
  readonly plugins = new Map<string, Map<string, XapiPlugin>>()
  /** Guest OS models per VM ref; VMs without one behave as guests without tools. */
  readonly guests = new Map<string, GuestSpec>()
  /** Calls answered per canonical method name, so tests can assert what a client did (and did not) ask. */
  readonly callCounts = new Map<string, number>()
  /** Calls refused with SESSION_INVALID per method (not in callCounts: they never ran). */
  readonly sessionInvalidCounts = new Map<string, number>()
  /**
   * Plugin calls per function (`xscontainer.get_config_drive_default`): `host.call_plugin` alone cannot
   * tell a test whether a client read through a plugin or acted through it.
   */
  readonly pluginCalls = new Map<string, number>()
  /** Raw contents written through /import_raw_vdi, per VDI ref. */
  readonly vdiData = new Map<string, Buffer>()
  /** The xscontainer supplemental pack, when the scenario installs it on some host. */
  xscontainer: XscontainerPack | undefined
  #closed = false
  #internalSession: string | undefined

  constructor(options: SimPoolOptions) {
    this.name = options.name
    this.model = options.model
    this.clock = options.clock
    this.credentials = options.credentials
    this.events = new EventLog(() => this.clock.now())
    this.store = new ObjectStore(this.model, this.events)
    this.sessions = new SessionManager(
      this.store,
      this.credentials,
      () => this.clock.now(),
      () => this.masterRef,
    )
    this.tasks = new TaskRunner(
      this.store,
      this.model,
      this.faults,
      () => this.clock.now(),
      () => this.masterRef,
    )
    this.#registerCoreHandlers()
    registerVmHandlers(this)
    registerDeviceHandlers(this)
    // The guest's Docker engine lives and dies with its VM (a reboot is Halted then Running).
    this.hooks.on('vm-power', (vm, from, to, how) => {
      const docker = this.guests.get(vm)?.docker
      if (!docker) return
      if (to === 'Running' && from === 'Halted') docker.hostBooted()
      else if (to === 'Halted') docker.hostHalted(how ?? 'clean')
    })
  }

  /**
   * dom0's local root session (`XenAPI.xapi_local()`), for plugins and daemons that call the API
   * themselves; logged in again when a fault or shutdown dropped it.
   */
  internalSession(): string {
    if (!this.sessions.isValid(this.#internalSession)) {
      this.#internalSession = this.sessions.login(this.credentials.username, this.credentials.password, 'dom0')
    }
    return this.#internalSession ?? ''
  }

  get poolRef(): string {
    return this.store.refs('pool')[0] ?? NULL_REF
  }

  get masterRef(): string {
    const pool = this.store.refs('pool')[0]
    return pool ? (this.store.get('pool', pool).master as string) : NULL_REF
  }

  get closed(): boolean {
    return this.#closed
  }

  call(method: string, params: readonly unknown[]): Promise<CallResult> {
    if (this.#closed) return Promise.reject(fault('SESSION_INVALID', String(params[0] ?? '')))
    return dispatch(this, method, params)
  }

  /** Installs (or replaces) a plugin on one host. */
  installPlugin(hostRef: string, name: string, plugin: XapiPlugin): void {
    const installed = this.plugins.get(hostRef) ?? new Map()
    installed.set(name, plugin)
    this.plugins.set(hostRef, installed)
  }

  uninstallPlugin(hostRef: string, name: string): void {
    this.plugins.get(hostRef)?.delete(name)
  }

  /**
   * Stops answering: drops every session, which wakes pending event.from calls so they answer
   * SESSION_INVALID (xen-api would otherwise sit out a 60 s retry delay), and lets running tasks end.
   */
  async close(): Promise<void> {
    this.xscontainer?.stop()
    this.sessions.dropAll()
    this.#closed = true
    this.faults.release()
    await this.tasks.settle()
  }

  #registerCoreHandlers(): void {
    const h = this.handlers
    h.set('session.login_with_password', (_ctx, user: string, pwd: string, _version?: string, originator?: string) =>
      this.sessions.login(user, pwd, originator),
    )
    h.set('session.logout', (ctx) => {
      if (ctx.sessionRef) this.sessions.logout(ctx.sessionRef)
      return ''
    })
    h.set('event.from', (ctx, classes: string[], token: string, timeout: number) =>
      eventFrom(this, ctx.sessionRef ?? '', classes, token, timeout),
    )
    h.set('event.inject', (_ctx, cls: string, ref: string) => eventInject(this, cls, ref))
    h.set('task.create', (_ctx, label: string, description: string) => this.tasks.create(label, description))
    h.set('task.cancel', (_ctx, task: string) => {
      this.tasks.cancel(task)
      return ''
    })
    h.set('task.destroy', (_ctx, task: string) => {
      this.tasks.destroy(task)
      return ''
    })
    h.set('host.call_plugin', async (ctx, host: string, plugin: string, fn: string, args: Record<string, string>) => {
      this.store.get('host', host)
      this.pluginCalls.set(`${plugin}.${fn}`, (this.pluginCalls.get(`${plugin}.${fn}`) ?? 0) + 1)
      const found = this.plugins.get(host)?.get(plugin)
      if (!found) throw fault('XENAPI_MISSING_PLUGIN', plugin)
      return found(ctx, host, fn, args)
    })
  }
}
