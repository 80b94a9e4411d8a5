/**
 * What happens to a container's process, on the simulated clock: starting it, delivering signals, its
 * exit and the restart manager's answer to it, and scripted crashes. Mirrors moby v20.10:
 * daemon/start.go `containerStart`, daemon/kill.go `killWithSignal`, daemon/stop.go `containerStop`,
 * daemon/monitor.go `handleContainerExit` and restartmanager/restartmanager.go `ShouldRestart`.
 * The daemon checks preconditions and answers errors; everything here assumes a legal transition.
 */
import type { SimClock } from '../clock.js'
import type { ContainerModel } from './container-model.js'
import type { DockerAction } from './docker-events.js'
import { parseSignal, SIGKILL, SIGTERM } from './docker-signals.js'

/** restartmanager.go: the first restart waits 100 ms, each next one twice as long, capped at a minute. */
export const INITIAL_BACKOFF_MS = 100
export const MAX_BACKOFF_MS = 60_000
/** A run of at least 10 s resets the backoff (`executionDuration.Seconds() >= 10`). */
export const BACKOFF_RESET_MS = 10_000
/** `docker stop` waits 10 s by default before SIGKILL. */
export const DEFAULT_STOP_TIMEOUT = 10

export interface RuntimeHost {
  clock: SimClock
  emit(c: ContainerModel, action: DockerAction, extra?: Record<string, string>): void
  allocatePid(c: ContainerModel): number
  allocateIp(): string
}

export class ContainerRuntime {
  readonly #host: RuntimeHost
  /** `daemon.IsShuttingDown()`: stops then neither count as manual nor leave restarts pending. */
  shuttingDown = false

  constructor(host: RuntimeHost) {
    this.#host = host
  }

  get #now(): number {
    return this.#host.clock.now()
  }

  /**
   * `containerStart`. A user start (`reset`) gets a fresh restart manager: RestartCount back to 0, backoff
   * and cancellation cleared, HasBeenManuallyStopped false. A restart-manager start keeps them.
   */
  start(c: ContainerModel, reset: boolean): void {
    const now = this.#now
    c.cancelTimers()
    if (reset) {
      c.restartCount = 0
      c.backoffMs = 0
      c.restartCancelled = false
      c.manuallyStopped = false
    }
    c.setRunning(now, this.#host.allocatePid(c))
    c.ip = this.#host.allocateIp()
    c.log(now, c.profile.startLogs(now))
    const crash = c.spec.crash
    if (crash && c.crashArmed) this.armCrash(c, crash.afterSeconds * 1000)
    this.#host.emit(c, 'start')
  }

  /**
   * Takes on a container the scenario describes as already up (PID, address, a crash counted from now)
   * or restarting (its restart comes after the initial backoff).
   */
  adopt(c: ContainerModel): void {
    if (c.restarting) {
      c.backoffMs = INITIAL_BACKOFF_MS
      this.scheduleRestart(c)
      return
    }
    c.pid = this.#host.allocatePid(c)
    c.ip = this.#host.allocateIp()
    c.runSeq = 1
    if (c.spec.crash) this.armCrash(c, c.spec.crash.afterSeconds * 1000)
    if (c.paused) this.#freeze(c)
  }

  /**
   * daemon.go `restore` on boot: fresh restart managers, and a container that has run before starts when
   * its policy says so for its last exit — always, unless-stopped unless a user stopped it, on-failure
   * after a non-zero exit.
   */
  restore(c: ContainerModel): void {
    c.restartCancelled = false
    c.backoffMs = 0
    const policy = c.spec.restartPolicy
    const restart =
      policy === 'always' ||
      (policy === 'unless-stopped' && !c.manuallyStopped) ||
      (policy === 'on-failure' && c.exitCode !== 0)
    if (c.startedAt !== null && restart) this.start(c, true)
  }

  /**
   * dockerd stopping with its VM. 'clean': `daemon.Shutdown` stops each running container as `docker stop`
   * does, but not as a manual stop. 'hard': the processes vanish with no events; Docker's restore on the
   * next boot records them as exited with 255 [UNVERIFIED].
   */
  shutdown(containers: readonly ContainerModel[], how: 'clean' | 'hard'): void {
    this.shuttingDown = true
    for (const c of containers) {
      if (how === 'clean') this.stop(c, DEFAULT_STOP_TIMEOUT)
      else if (c.running) {
        c.ip = ''
        c.setStopped(this.#now, 255)
      }
      c.cancelTimers()
    }
    this.shuttingDown = false
  }

  armCrash(c: ContainerModel, delayMs: number): void {
    c.crashDueAt = this.#now + delayMs
    c.cancelCrashTimer = this.#host.clock.setTimer(delayMs, () => {
      c.cancelCrashTimer = undefined
      c.crashDueAt = undefined
      const crash = c.spec.crash
      if (!crash) return
      if (!crash.repeat) c.crashArmed = false
      // The simulated application's last words (not Docker output): something for `docker logs` to show.
      c.log(this.#now, [
        { stream: 'stderr', line: `fatal: unrecoverable error, exiting with status ${crash.exitCode}` },
      ])
      this.exited(c, crash.exitCode)
    })
  }

  /** A paused (frozen) process cannot crash: keep the time left and resume the countdown on unpause. */
  pause(c: ContainerModel): void {
    this.#freeze(c)
    this.#host.emit(c, 'pause')
  }

  #freeze(c: ContainerModel): void {
    c.paused = true
    if (c.crashDueAt !== undefined) {
      const left = c.crashDueAt - this.#now
      c.cancelTimers()
      c.crashLeftMs = left
    }
  }

  unpause(c: ContainerModel): void {
    c.paused = false
    const left = c.crashLeftMs
    c.crashLeftMs = undefined
    if (left !== undefined) this.armCrash(c, left)
    this.#host.emit(c, 'unpause')
  }

  /** Schedules the restart manager's start of a container in the restarting state. */
  scheduleRestart(c: ContainerModel): void {
    c.cancelRestartTimer = this.#host.clock.setTimer(c.backoffMs, () => {
      c.cancelRestartTimer = undefined
      this.start(c, false)
    })
  }

  /** `handleContainerExit`: the process is gone; restart it after a backoff, or leave it exited. */
  exited(c: ContainerModel, exitCode: number): void {
    const now = this.#now
    c.cancelTimers()
    c.ip = ''
    let restart = false
    const policy = c.spec.restartPolicy
    // ShouldRestart: policy none answers first; a cancelled manager (user stop/kill) refuses; otherwise
    // the backoff is updated whether or not the policy then restarts.
    if (policy !== 'no' && !c.restartCancelled) {
      if (now - (c.startedAt ?? now) >= BACKOFF_RESET_MS) c.backoffMs = 0
      c.backoffMs = c.backoffMs === 0 ? INITIAL_BACKOFF_MS : Math.min(c.backoffMs * 2, MAX_BACKOFF_MS)
      const manual = this.shuttingDown || c.manuallyStopped
      restart =
        policy === 'always' || (policy === 'unless-stopped' && !manual) || (policy === 'on-failure' && exitCode !== 0)
    }
    if (restart) {
      // RestartCount grows when the restart is decided, i.e. already while the container is restarting.
      c.restartCount++
      c.setRestarting(now, exitCode)
      this.scheduleRestart(c)
    } else {
      c.setStopped(now, exitCode)
    }
    this.#host.emit(c, 'die', { exitCode: String(exitCode) })
  }

  /**
   * `killWithSignal`. The image's stop signal, or any signal when the image sets none, or SIGKILL, calls
   * `ExitOnNext()` (cancels the restart manager) and resumes a paused container so it can act on it. Every
   * kill marks the container manually stopped (outside daemon shutdown). A restarting container has no
   * process: nothing is signalled and no event logged; a cancelled restart leaves it exited.
   * `handlerRuns` false models `docker stop -t 0`: SIGKILL follows before the process can react.
   */
  killWithSignal(c: ContainerModel, signal: number, handlerRuns = true): void {
    const stopSignal = c.profile.stopSignal
    const exitOnNext = signal === SIGKILL || stopSignal === null || parseSignal(stopSignal) === signal
    const unpause = exitOnNext && c.paused
    if (exitOnNext) c.restartCancelled = true
    if (!this.shuttingDown) c.manuallyStopped = true
    if (c.restarting) {
      if (exitOnNext) {
        c.cancelTimers()
        c.setStopped(this.#now, c.exitCode)
      }
      return
    }
    this.#host.emit(c, 'kill', { signal: String(signal) })
    if (unpause) {
      // [UNVERIFIED] order: containerd's resumed event reaches the daemon after the kill is logged and
      // before the exit, so an 'unpause' event sits between 'kill' and 'die'.
      c.paused = false
      c.crashLeftMs = undefined
      this.#host.emit(c, 'unpause')
    }
    // [UNVERIFIED] simplification: a signal for a still-frozen process is dropped rather than queued.
    if (c.paused) return
    if (signal === SIGKILL) {
      this.exited(c, 128 + SIGKILL)
    } else if (handlerRuns && c.profile.handles[signal] === 'exit') {
      c.log(this.#now, c.profile.stopLogs(this.#now, signal))
      this.exited(c, 0)
    }
    // Otherwise the process handles it and keeps running (nginx reloads on SIGHUP), or, as a namespace
    // init without a handler, never sees it.
  }

  /**
   * `containerStop`: the stop signal; if the process is still there when the timeout ends, SIGKILL (a
   * second 'kill' event, exit 137); then 'stop'. The simulated stop completes at once: the timeout only
   * decides whether a process that handles the signal gets the chance to (it does not when it is 0).
   * [UNVERIFIED] `-t 0` is a race in real Docker; we always let SIGKILL win (Exited (137)).
   */
  stop(c: ContainerModel, timeoutSeconds: number): void {
    if (!c.running) return
    const signal = c.profile.stopSignal ? parseSignal(c.profile.stopSignal) : SIGTERM
    this.killWithSignal(c, signal, timeoutSeconds !== 0)
    if (c.running) this.killWithSignal(c, SIGKILL)
    this.#host.emit(c, 'stop')
  }
}
