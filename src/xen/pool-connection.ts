/**
 * One pool: one xen-api client, kept connected. Connecting never blocks the caller (a pool that is
 * down must not delay the others or the bot's start); failures are retried with capped exponential
 * backoff, and the pool's status — connecting, synced, degraded with a reason — is always readable.
 * The client's object cache is the inventory's source: its add/update/remove events are forwarded
 * (removals as the objects removed, which xen-api's collection does not carry), a new client's first
 * sync drops what vanished while there was none, and no listener error can stop xen-api's event loop.
 */
import { EventEmitter } from 'node:events'
import type { Agent } from 'undici'
import { createClient, type Xapi, type XapiObject } from 'xen-api'
import type { PoolConfig } from '../config.js'
import type { PoolStatus } from '../core/ports.js'
import type { Log } from '../log.js'
import { describeXapiError } from './describe-xapi-error.js'
import { closeDispatcher, createDispatcher, useDispatcher } from './pinned-dispatcher.js'

/**
 * The classes the bot reads from the cache; xen-api caches and watches only these (task: callAsync
 * needs it). Every cached record is kept whole by xen-api, so a class nothing reads costs memory and
 * sync time for nothing: VBD and VIF (as many as the VMs, or more) are read by call when needed
 * (provision/vm-devices.ts, clean-up.ts), never from the cache.
 */
export const WATCHED_CLASSES = ['pool', 'host', 'VM', 'VM_guest_metrics', 'task', 'message', 'SR', 'VDI', 'network']

export interface ClientTuning {
  /** xen-api's sleep before each event.from (default 200 ms; tests use a few ms). */
  readonly debounce?: number
  /** xen-api's sleep after an event.from error (default 60 s). */
  readonly eventPollDelay?: number
  /** Per-call timeout in ms (default 60 s: a hung master must not hang a command forever). */
  readonly callTimeout?: number
  /** First reconnection delay and its cap, in ms. */
  readonly backoff?: { readonly initial: number; readonly max: number } | undefined
}

export interface PoolConnectionEvents {
  status: [PoolStatus]
  add: [XapiObject[]]
  update: [XapiObject[]]
  remove: [XapiObject[]]
}

/** How long a stop waits for in-flight requests before cutting the connections. */
const STOP_GRACE_MS = 2_000

/** One flush of xen-api's object collection: `$id` → object (undefined in a `remove` batch). */
type Batch = Readonly<Record<string, XapiObject | undefined>>

const DEFAULTS = {
  debounce: 200,
  eventPollDelay: 60_000,
  callTimeout: 60_000,
  backoff: { initial: 1_000, max: 60_000 },
}

export class PoolConnection extends EventEmitter<PoolConnectionEvents> {
  readonly name: string
  readonly #config: PoolConfig
  readonly #password: () => string
  readonly #log: Log
  readonly #tuning: {
    debounce: number
    eventPollDelay: number
    callTimeout: number
    backoff: { initial: number; max: number }
  }
  #xapi: Xapi | undefined
  /** The current client's HTTP dispatcher (ours, see pinned-dispatcher.ts), closed with it. */
  #dispatcher: Agent | undefined
  /**
   * Every object forwarded so far, by xen-api's `$id`: the collection's `remove` event carries only
   * ids (its values are already gone), and a new client's first sync must drop what vanished meanwhile.
   */
  readonly #known = new Map<string, XapiObject>()
  #status: PoolStatus
  #attempt = 0
  #retry: NodeJS.Timeout | undefined
  #started = false
  #stopped = false

  /** `password` is read at each connection attempt, so a secret file fixed later is picked up. */
  /** Which backend the pool's Docker VMs use (config `dockerBackend`). */
  get dockerBackend(): 'auto' | 'ssh' {
    return this.#config.dockerBackend ?? 'auto'
  }

  constructor(config: PoolConfig, password: () => string, log: Log, tuning: ClientTuning = {}) {
    super()
    this.name = config.name
    this.#config = config
    this.#password = password
    this.#log = log.child({ pool: config.name })
    this.#tuning = {
      debounce: tuning.debounce ?? DEFAULTS.debounce,
      eventPollDelay: tuning.eventPollDelay ?? DEFAULTS.eventPollDelay,
      callTimeout: tuning.callTimeout ?? DEFAULTS.callTimeout,
      backoff: tuning.backoff ?? DEFAULTS.backoff,
    }
    this.#status = { name: config.name, state: 'connecting', since: Date.now() }
  }

  get status(): PoolStatus {
    return this.#status
  }

  /** The connected client, for calls; undefined while the pool is not connected. */
  get client(): Xapi | undefined {
    return this.#xapi?.status === 'connected' ? this.#xapi : undefined
  }

  /** The pool master's XAPI URL, as configured. */
  get url(): string {
    return this.#config.url
  }

  /**
   * The connected client's HTTP dispatcher (the pool's TLS setting, pin included), for raw HTTP such as
   * `/import_raw_vdi`: xen-api's own putResource goes through another HTTP stack that ignores the pin.
   */
  get httpDispatcher(): Agent | undefined {
    return this.client ? this.#dispatcher : undefined
  }

  /** Starts connecting in the background; returns at once. A second call while running does nothing. */
  start(): void {
    if (this.#started && !this.#stopped) return
    this.#started = true
    this.#stopped = false
    void this.#connect()
  }

  /** Resolves when the pool is synced, or rejects after `timeoutMs`. */
  synced(timeoutMs: number): Promise<void> {
    if (this.#status.state === 'synced') return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('status', onStatus)
        reject(
          new Error(`pool ${this.name} not synced after ${timeoutMs} ms: ${this.#status.reason ?? this.#status.state}`),
        )
      }, timeoutMs)
      const onStatus = (status: PoolStatus) => {
        if (status.state !== 'synced') return
        clearTimeout(timer)
        this.off('status', onStatus)
        resolve()
      }
      this.on('status', onStatus)
    })
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#retry)
    this.#retry = undefined
    const xapi = this.#xapi
    const dispatcher = this.#dispatcher
    this.#xapi = undefined
    this.#dispatcher = undefined
    if (xapi && xapi.status !== 'disconnected') await xapi.disconnect()
    // The logout and the event.from it wakes still finish; then the sockets go.
    if (dispatcher) await closeDispatcher(dispatcher, STOP_GRACE_MS)
  }

  #setStatus(state: PoolStatus['state'], reason?: string): void {
    if (this.#status.state === state && this.#status.reason === reason) return
    this.#status = { name: this.name, state, reason, since: Date.now() }
    this.#log.info({ state, reason }, 'pool status')
    this.emit('status', this.#status)
  }

  #createClient(password: string): Xapi {
    const tls = this.#config.tls
    const xapi = createClient({
      url: this.#config.url,
      auth: { user: this.#config.username, password },
      allowUnauthorized: tls !== 'verify',
      watchEvents: WATCHED_CLASSES,
      debounce: this.#tuning.debounce,
      eventPollDelay: this.#tuning.eventPollDelay,
      // event.from long-polls for 60 s; only it may take longer than an ordinary call.
      callTimeout: (method) => (method === 'event.from' ? 90_000 : this.#tuning.callTimeout),
    })
    // Longer than event.from's 60 s long poll, during which no byte flows.
    const dispatcher = createDispatcher(tls, 300_000)
    this.#dispatcher = dispatcher
    useDispatcher(xapi, dispatcher)
    return xapi
  }

  async #connect(): Promise<void> {
    this.#retry = undefined
    if (this.#stopped) return
    let password: string
    try {
      password = this.#password()
    } catch (error) {
      this.#setStatus('degraded', `cannot read the password: ${describeXapiError(error)}`)
      this.#scheduleRetry(undefined)
      return
    }
    let xapi: Xapi
    try {
      xapi = this.#createClient(password)
    } catch (error) {
      this.#setStatus('degraded', `cannot connect: ${describeXapiError(error)}`)
      this.#scheduleRetry(undefined)
      return
    }
    this.#xapi = xapi
    // Only the initial sync completing makes a client "ready": a disconnection before that is a
    // failed attempt (handled below), after it a lost connection that needs a new client.
    let ready = false
    const current = () => this.#xapi === xapi && !this.#stopped
    const objects = xapi.objects
    objects.on('add', (batch: Batch) => {
      if (current()) this.#forward('add', batch)
    })
    objects.on('update', (batch: Batch) => {
      if (current()) this.#forward('update', batch)
    })
    objects.on('remove', (batch: Batch) => {
      if (current()) this.#removed(xapi, batch)
    })
    // The event loop reports trouble on its own while it retries: the pool is degraded, not gone.
    xapi.on('eventFetchingError', (error: Error) => {
      if (current()) this.#setStatus('degraded', `event stream: ${describeXapiError(error)}`)
    })
    xapi.on('eventFetchingSuccess', () => {
      if (current() && ready) this.#setStatus('synced')
    })
    xapi.on('disconnected', () => {
      if (!current() || !ready) return
      this.#setStatus('degraded', 'disconnected from the pool master')
      this.#scheduleRetry(xapi)
    })
    try {
      await xapi.connect()
      await untilFetchedOrDisconnected(xapi)
      if (!current()) return
      ready = true
      this.#attempt = 0
      this.#dropVanished(xapi)
      this.#setStatus('synced')
    } catch (error) {
      if (!current()) return
      this.#setStatus('degraded', `cannot connect: ${describeXapiError(error)}`)
      this.#scheduleRetry(xapi)
    }
  }

  #forward(event: 'add' | 'update', batch: Batch): void {
    const objects: XapiObject[] = []
    // The batch's keys are the objects' ids: reading `$id` again would touch every record of a cold
    // sync once more (large dictionaries spread over the heap, so about one cache miss each).
    for (const id in batch) {
      const object = batch[id]
      if (object === undefined) continue
      this.#known.set(id, object)
      objects.push(object)
    }
    if (objects.length > 0) this.#emitSafely(event, objects)
  }

  /** The collection's remove batch maps ids to `undefined`: the removed objects are the known ones. */
  #removed(xapi: Xapi, batch: Batch): void {
    const gone: XapiObject[] = []
    for (const id of Object.keys(batch)) {
      const known = this.#known.get(id)
      if (!known) continue
      this.#known.delete(id)
      // A UUID change removes the old id while the same ref lives on under the new one.
      if (xapi.getObjectByRef(known.$ref, undefined) === undefined) gone.push(known)
    }
    if (gone.length > 0) this.#emitSafely('remove', gone)
  }

  /** After a new client's first sync: objects of the previous client it no longer has are gone. */
  #dropVanished(xapi: Xapi): void {
    const all = xapi.objects.all
    const gone: XapiObject[] = []
    for (const [id, object] of this.#known) {
      if (all[id] !== undefined) continue
      this.#known.delete(id)
      gone.push(object)
    }
    if (gone.length > 0) this.#emitSafely('remove', gone)
  }

  /**
   * Listeners run inside xen-api's event loop: an exception there would end the loop for good (the
   * cache would silently stop updating), so it is logged and the stream goes on.
   */
  #emitSafely(event: 'add' | 'update' | 'remove', objects: XapiObject[]): void {
    try {
      this.emit(event, objects)
    } catch (error) {
      this.#log.error({ err: error, event }, 'a pool object listener failed; the event stream goes on')
    }
  }

  #scheduleRetry(failed: Xapi | undefined): void {
    if (this.#stopped) return
    const { initial, max } = this.#tuning.backoff
    const delay = Math.min(max, initial * 2 ** this.#attempt++)
    this.#log.warn({ delayMs: delay, attempt: this.#attempt }, 'pool connection failed; retrying')
    const dispatcher = this.#dispatcher
    this.#dispatcher = undefined
    // The failed client is no longer current: whatever its loop still reports is ignored.
    if (failed && this.#xapi === failed) this.#xapi = undefined
    if (failed) void failed.disconnect().catch(() => undefined)
    if (dispatcher) void closeDispatcher(dispatcher, STOP_GRACE_MS)
    clearTimeout(this.#retry)
    this.#retry = setTimeout(() => void this.#connect(), delay)
    this.#retry.unref()
  }
}

/** `objectsFetched`, or a rejection when the client disconnects before its first sync completes. */
function untilFetchedOrDisconnected(xapi: Xapi): Promise<void> {
  let onDisconnected = () => {}
  const disconnected = new Promise<never>((_, reject) => {
    onDisconnected = () => reject(new Error('disconnected before the initial sync completed'))
    xapi.once('disconnected', onDisconnected)
  })
  return Promise.race([xapi.objectsFetched, disconnected]).finally(() => xapi.off('disconnected', onDisconnected))
}
