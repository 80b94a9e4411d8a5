/**
 * One container: the config Docker derives at `docker create` (image config merged with the scenario's
 * spec), and the mutable state Docker keeps in `container.State` plus what its restart manager and our
 * scripted crashes need. The daemon drives the transitions; the views render it as API JSON.
 */
import { deriveMounts, derivePorts, type MountPoint, type PortBinding, sha256 } from './container-config.js'
import type { ResolvedContainerSpec } from './container-spec.js'
import { fixedNanoTime, type StateFlags } from './docker-status-text.js'
import { type ImageProfile, type LogLine, parseImage, profileFor, splitCommand } from './image-profiles.js'

export type { MountPoint, PortBinding } from './container-config.js'
export { sha256 }

export interface LogEntry {
  stream: 'stdout' | 'stderr'
  line: string
}

export class ContainerModel {
  readonly id: string
  readonly name: string
  readonly spec: ResolvedContainerSpec
  readonly profile: ImageProfile
  readonly imageId: string
  readonly created: number
  /** Entrypoint and CMD as Docker stores them: Path is the first word, Args the rest. */
  readonly entrypoint: string[]
  readonly cmd: string[]
  readonly path: string
  readonly args: string[]
  readonly env: string[]
  readonly labels: Record<string, string>
  /** Exposed ports, sorted like Go map keys: '443/tcp', '80/tcp'. */
  readonly exposed: string[]
  /** What `docker run -p` requested (HostConfig.PortBindings). */
  readonly requestedBindings: Record<string, PortBinding[]>
  /** What the running container publishes (NetworkSettings.Ports): unspecified IPs bind v4 and v6. */
  readonly publishedBindings: Record<string, PortBinding[]>
  readonly mounts: MountPoint[]
  readonly binds: string[]

  // container.State
  running = false
  paused = false
  restarting = false
  pid = 0
  exitCode = 0
  startedAt: number | null = null
  finishedAt: number | null = null
  restartCount = 0
  /** HasBeenManuallyStopped: a user stop/kill; unless-stopped containers then stay down on boot. */
  manuallyStopped = false

  // restart manager (restartmanager/restartmanager.go) and the scripted crash
  /** Current backoff; 0 means the next restart waits the initial 100 ms. */
  backoffMs = 0
  /** `ExitOnNext()` was called: a user stop/kill cancelled the restart manager until the next user start. */
  restartCancelled = false
  cancelRestartTimer: (() => void) | undefined
  cancelCrashTimer: (() => void) | undefined
  /** A non-repeating crash stays armed until it has fired once. */
  crashArmed: boolean
  /** When the pending crash fires; a pause freezes the process, so it keeps the time left instead. */
  crashDueAt: number | undefined
  crashLeftMs: number | undefined

  // network, per run
  ip = ''
  /** Counts starts, to vary EndpointID and SandboxID per run the way Docker's random ones do. */
  runSeq = 0

  readonly logs: { at: number; entry: LogLine }[] = []

  constructor(hostname: string, spec: ResolvedContainerSpec, now: number) {
    this.spec = spec
    this.name = spec.name
    this.id = sha256(`${hostname}/${spec.name}`)
    this.profile = profileFor(spec.image)
    this.imageId = `sha256:${sha256(`image:${spec.image}`)}`
    this.crashArmed = spec.crash !== undefined

    this.entrypoint = this.profile.entrypoint
    this.cmd = splitCommand(spec.command)
    const argv = [...this.entrypoint, ...this.cmd]
    this.path = argv[0] ?? ''
    this.args = argv.slice(1)
    // runconfig merge: the user's variables first, then image ones whose name the user did not set.
    const userKeys = new Set(spec.env.map((e) => e.split('=')[0]))
    const imageEnv = this.profile.env(parseImage(spec.image).tag).filter((e) => !userKeys.has(e.split('=')[0]))
    this.env = [...spec.env, ...imageEnv]
    this.labels = sortKeys({ ...this.profile.labels, ...spec.labels })

    const ports = derivePorts(spec, this.profile)
    this.exposed = ports.exposed
    this.requestedBindings = ports.requested
    this.publishedBindings = ports.published
    this.mounts = deriveMounts(spec, this.profile, this.id)
    this.binds = spec.mounts.map((m) => `${m.source}:${m.destination}${m.rw ? '' : ':ro'}`)

    const ago = (seconds: number) => now - Math.round(seconds * 1000)
    if (spec.state === 'running' || spec.state === 'paused') {
      this.startedAt = ago(spec.upSeconds)
    } else if (spec.state === 'exited' || spec.state === 'restarting') {
      this.finishedAt = ago(spec.state === 'exited' ? spec.exitedSecondsAgo : 0)
      this.startedAt = this.finishedAt - Math.round(spec.upSeconds * 1000)
      this.exitCode = spec.exitCode
    }
    // [UNVERIFIED] assumption: `docker run` creates the container about a second before starting it.
    this.created = (this.startedAt ?? ago(spec.upSeconds)) - 1_000 - (sha256(this.id).charCodeAt(0) % 500)
    this.running = spec.state === 'running' || spec.state === 'paused' || spec.state === 'restarting'
    this.paused = spec.state === 'paused'
    this.restarting = spec.state === 'restarting'
    if (this.restarting) this.restartCount = 1

    // A container that has run has its image's start-up output, then the scenario's lines.
    const logStart = this.startedAt ?? this.created
    if (this.startedAt !== null) this.log(this.startedAt, this.profile.startLogs(this.startedAt))
    spec.logs.forEach((line, i) => {
      this.logs.push({ at: logStart + 1 + i, entry: { stream: 'stdout', line } })
    })
  }

  get flags(): StateFlags {
    const { running, paused, restarting, exitCode, startedAt, finishedAt } = this
    return { running, paused, restarting, exitCode, startedAt, finishedAt }
  }

  /** Short id, also the container's hostname. */
  get shortId(): string {
    return this.id.slice(0, 12)
  }

  /** The command line as `ps` shows it for the container's first process. */
  get cmdLine(): string {
    return [...this.entrypoint.slice(1), ...this.cmd].join(' ') || this.path
  }

  /** `State.SetRunning(pid, initial=true)`. */
  setRunning(now: number, pid: number): void {
    this.running = true
    this.paused = false
    this.restarting = false
    this.exitCode = 0
    this.pid = pid
    this.startedAt = now
    this.runSeq++
  }

  /** `State.SetStopped`. */
  setStopped(now: number, exitCode: number): void {
    this.running = false
    this.paused = false
    this.restarting = false
    this.pid = 0
    this.finishedAt = now
    this.exitCode = exitCode
  }

  /** `State.SetRestarting`: still Running as far as Docker's checks go, but with no process. */
  setRestarting(now: number, exitCode: number): void {
    this.running = true
    this.restarting = true
    this.paused = false
    this.pid = 0
    this.finishedAt = now
    this.exitCode = exitCode
  }

  log(at: number, lines: readonly LogLine[]): void {
    for (const entry of lines) this.logs.push({ at, entry })
  }

  /** The last `tail` lines (all when negative), optionally prefixed with `docker logs -t` timestamps. */
  readLogs(tail: number, timestamps: boolean): LogEntry[] {
    const entries = tail < 0 ? this.logs : tail === 0 ? [] : this.logs.slice(-tail)
    return entries.map(({ at, entry }) => ({
      stream: entry.stream,
      line: timestamps ? `${fixedNanoTime(at)} ${entry.line}` : entry.line,
    }))
  }

  cancelTimers(): void {
    this.cancelCrashTimer?.()
    this.cancelCrashTimer = undefined
    this.crashDueAt = undefined
    this.crashLeftMs = undefined
    this.cancelRestartTimer?.()
    this.cancelRestartTimer = undefined
  }
}

/** Go marshals maps with their keys sorted; keep that order in the JS objects we hand out. */
export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
