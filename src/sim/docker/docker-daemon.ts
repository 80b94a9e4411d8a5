/**
 * A Docker Engine (20.10, API 1.41) inside one simulated guest VM. It knows nothing of SSH or XAPI: the
 * xscontainer emulation and the guest's HTTP Docker API both call it and pass its answers on, so every
 * return value is Docker's JSON shape and every failure a DockerError with Docker's status and body.
 * All time comes from the injected SimClock.
 */
import { EventEmitter } from 'node:events'
import type { SimClock } from '../clock.js'
import { type ContainerInspect, toInspect } from './container-inspect.js'
import { type ContainerModel, type LogEntry, sha256 } from './container-model.js'
import { ContainerRuntime, DEFAULT_STOP_TIMEOUT } from './container-runtime.js'
import type { ContainerSpec, ResolvedContainerSpec } from './container-spec.js'
import { ContainerStore } from './container-store.js'
import { type ContainerSummary, toSummary, type ViewContext } from './container-summary.js'
import * as errors from './docker-errors.js'
import { containerEvent, type DaemonEvents, type DockerAction, EventStamps } from './docker-events.js'
import { type EngineFacts, engineInfo, engineVersion } from './docker-info.js'
import { checkPlatformSignal, parseSignal } from './docker-signals.js'
import { containerStats, type HostFacts } from './docker-stats.js'
import { containerTop, type TopResult } from './docker-top.js'

export type { ContainerInspect } from './container-inspect.js'
export type { ContainerSpec, ResolvedContainerSpec } from './container-spec.js'
export { containerSpecSchema } from './container-spec.js'
export type { ContainerSummary } from './container-summary.js'
export { DaemonDownError, DockerError } from './docker-errors.js'
export type { DaemonEvents, DockerEvent } from './docker-events.js'

export interface DaemonOptions {
  clock: SimClock
  /** The guest's hostname: `Name` in /info, and the seed of container ids. */
  hostname: string
  /** Scenario input, or specs a scenario schema already resolved: both are (re)validated here. */
  containers: readonly (ContainerSpec | ResolvedContainerSpec)[]
  /** Default '20.10.24'. */
  engineVersion?: string
  /** Default 'Ubuntu 20.04.6 LTS'. */
  os?: string
  /** Default '5.4.0-169-generic'. */
  kernel?: string
  /** Default 2. */
  ncpu?: number
  /** Bytes, as /proc/meminfo reports a 4 GiB guest by default. */
  memTotal?: number
  /** Whether the VM (and so the daemon) is running at construction; default true. */
  up?: boolean
}

export class DockerDaemon {
  readonly events = new EventEmitter<DaemonEvents>()
  readonly #clock: SimClock
  readonly #engine: Omit<EngineFacts, 'now' | 'counts' | 'images'>
  readonly #networkId: string
  readonly #store: ContainerStore
  readonly #runtime: ContainerRuntime
  #up = true
  #bootedAt: number
  readonly #stamps = new EventStamps()

  constructor(options: DaemonOptions) {
    this.#clock = options.clock
    this.#engine = {
      hostname: options.hostname,
      engineVersion: options.engineVersion ?? '20.10.24',
      os: options.os ?? 'Ubuntu 20.04.6 LTS',
      kernel: options.kernel ?? '5.4.0-169-generic',
      ncpu: options.ncpu ?? 2,
      memTotal: options.memTotal ?? 4_125_007_872,
    }
    this.#networkId = sha256(`${options.hostname}/network/bridge`)
    const now = this.#clock.now()
    const store = new ContainerStore(options.hostname, options.containers, now, this.#engine.ncpu)
    this.#store = store
    this.#runtime = new ContainerRuntime({
      clock: this.#clock,
      emit: (c, action, extra) => this.#emit(c, action, extra),
      allocatePid: (c) => store.allocatePid(c),
      allocateIp: () => store.allocateIp(),
    })
    const started = store.all.flatMap((c) => (c.startedAt !== null ? [c.startedAt] : []))
    this.#bootedAt = Math.min(now, ...started) - 45_000
    // Containers already up got their PIDs and addresses in the order they started.
    const live = store.all.filter((c) => c.running && !c.restarting)
    for (const c of live.sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0))) this.#runtime.adopt(c)
    for (const c of store.all.filter((c) => c.restarting)) this.#runtime.adopt(c)
    // Nobody can listen yet, so halting here leaves no trace but the containers' exited state.
    if (options.up === false) this.hostHalted()
  }

  /** Whether the daemon runs (its VM is running). */
  get up(): boolean {
    return this.#up
  }

  /** `GET /containers/json[?all=1][&size=1]`: newest first, running ones only unless `all`. */
  listContainers(opts: { all?: boolean; size?: boolean } = {}): ContainerSummary[] {
    const ctx = this.#view()
    return this.#store.all
      .filter((c) => opts.all || c.running)
      .sort((a, b) => b.created - a.created)
      .map((c) => toSummary(c, ctx, opts.size ?? false))
  }

  /** `GET /containers/{id}/json`. */
  inspect(idOrName: string): ContainerInspect {
    return toInspect(this.#find(idOrName), this.#view())
  }

  /** `POST /containers/{id}/start`. */
  start(idOrName: string): void {
    const c = this.#find(idOrName)
    if (c.paused) throw errors.startPaused()
    if (c.running) throw errors.notModified()
    this.#runtime.start(c, true)
  }

  /** `POST /containers/{id}/stop[?t=]`: a restarting container counts as running and can be stopped. */
  stop(idOrName: string, timeoutSeconds = DEFAULT_STOP_TIMEOUT): void {
    const c = this.#find(idOrName)
    if (!c.running) throw errors.notModified()
    this.#runtime.stop(c, timeoutSeconds)
  }

  /** `POST /containers/{id}/restart`: stop if running (kill, die, stop), then start and 'restart'. */
  restart(idOrName: string, timeoutSeconds = DEFAULT_STOP_TIMEOUT): void {
    const c = this.#find(idOrName)
    if (c.running) this.#runtime.stop(c, timeoutSeconds)
    this.#runtime.start(c, true)
    this.#emit(c, 'restart')
  }

  /** `POST /containers/{id}/pause` (daemon/pause.go checks, in this order). */
  pause(idOrName: string): void {
    const c = this.#find(idOrName)
    if (!c.running) throw errors.notRunning(c.id)
    if (c.paused) throw errors.alreadyPaused(c.id)
    if (c.restarting) throw errors.isRestarting(c.id)
    this.#runtime.pause(c)
  }

  /** `POST /containers/{id}/unpause`. */
  unpause(idOrName: string): void {
    const c = this.#find(idOrName)
    if (!c.paused) throw errors.notPaused(c.id)
    this.#runtime.unpause(c)
  }

  /** `POST /containers/{id}/kill[?signal=]`, SIGKILL by default; errors carry the route's "Cannot kill" prefix. */
  kill(idOrName: string, signal = 'SIGKILL'): void {
    const sig = parseSignal(signal)
    let c: ContainerModel
    try {
      c = this.#find(idOrName)
      checkPlatformSignal(sig)
      if (!c.running) throw errors.notRunning(c.id)
    } catch (error) {
      throw error instanceof errors.DockerError ? errors.wrapKill(idOrName, error) : error
    }
    this.#runtime.killWithSignal(c, sig)
  }

  /** `GET /containers/{id}/top[?ps_args=]`. */
  top(idOrName: string, psArgs = '-ef'): TopResult {
    const c = this.#find(idOrName)
    if (!c.running) throw errors.notRunning(c.id)
    if (c.restarting) throw errors.isRestarting(c.id)
    return containerTop(c, this.#hostFacts(), psArgs)
  }

  /**
   * `GET /containers/{id}/logs?stdout=1&stderr=1[&tail=N][&timestamps=1]`, demultiplexed. `tail` 0 gives
   * nothing, a negative or absent one everything; timestamps are RFC3339Nano with nine digits.
   */
  logs(idOrName: string, opts: { tail?: number; timestamps?: boolean } = {}): LogEntry[] {
    return this.#find(idOrName).readLogs(opts.tail ?? -1, opts.timestamps ?? false)
  }

  /** `GET /containers/{id}/stats?stream=false`. */
  stats(idOrName: string): Record<string, unknown> {
    const c = this.#find(idOrName)
    return containerStats(c, this.#hostFacts(), c.profile.processes(c.cmdLine, this.#engine.ncpu).length)
  }

  /** `GET /info`. */
  info(): Record<string, unknown> {
    this.#ensureUp()
    const now = this.#clock.now()
    return engineInfo({ ...this.#engine, now, counts: this.#store.counts(), images: this.#store.imageCount() })
  }

  /** `GET /version`. */
  version(): Record<string, unknown> {
    this.#ensureUp()
    return engineVersion(this.#engine)
  }

  /** `GET /_ping`. */
  ping(): 'OK' {
    this.#ensureUp()
    return 'OK'
  }

  /**
   * The VM booted: dockerd starts and restores containers (daemon.go `restore`). Fresh restart managers;
   * a container that ran before is started when its policy says so for its last exit: always,
   * unless-stopped unless a user stopped it, on-failure after a non-zero exit.
   */
  hostBooted(): void {
    if (this.#up) return
    this.#up = true
    this.#bootedAt = this.#clock.now()
    this.events.emit('up')
    for (const c of this.#store.all) this.#runtime.restore(c)
  }

  /**
   * The VM halted. 'clean' (a guest shutdown): systemd stops dockerd, which stops every running container
   * as `docker stop` would — kill/die/stop events, exit 0 for images that handle their stop signal, 137 for
   * a `/bin/sh` that ignores it — without marking them manually stopped. 'hard' (power off): processes
   * vanish with no events; on the next boot Docker records them as exited with 255 [UNVERIFIED].
   * Then the daemon is down and every API call throws DaemonDownError.
   */
  hostHalted(how: 'clean' | 'hard' = 'clean'): void {
    if (!this.#up) return
    this.#runtime.shutdown(this.#store.all, how)
    this.#up = false
    this.events.emit('down')
  }

  #ensureUp(): void {
    if (!this.#up) throw new errors.DaemonDownError()
  }

  #find(given: string): ContainerModel {
    this.#ensureUp()
    return this.#store.find(given)
  }

  #emit(c: ContainerModel, action: DockerAction, extra?: Record<string, string>): void {
    this.events.emit('event', containerEvent(c, action, this.#stamps.next(this.#clock.now()), extra))
  }

  #view(): ViewContext {
    this.#ensureUp()
    return { now: this.#clock.now(), networkId: this.#networkId }
  }

  #hostFacts(): HostFacts {
    const { ncpu, memTotal } = this.#engine
    return { now: this.#clock.now(), ncpu, memTotal, bootedAt: this.#bootedAt }
  }
}
