/**
 * Graceful shutdown (issue #12), on SIGTERM: stop taking commands, let running job steps finish for a
 * bounded time, mark the jobs still running `interrupted` (truthfully: their cards say steps not marked
 * done may or may not have happened), then close the store, the XAPI sessions and the HTTP server —
 * each wait bounded, so the process ends in a known time however stuck a pool is.
 */
import type { JobRecord } from '../core/store-ports.js'
import type { Log } from '../log.js'

export interface ShutdownSteps {
  /** Stop taking commands (the terminal chat stops reading). */
  stopIntake(): void
  /** Resolves true once no job runs, false if `timeoutMs` passed first. */
  jobsIdle(timeoutMs: number): Promise<boolean>
  /** Marks the jobs still running interrupted (stored and audited); returns them. */
  interruptRunning(): Promise<readonly JobRecord[]>
  /** Closes everything else: store, pool sessions, HTTP server. */
  stop(): Promise<void>
  readonly log: Log
}

export interface ShutdownOptions {
  /** How long running jobs may take to finish (default 10 s). */
  readonly graceMs?: number | undefined
  /** How long closing may take after that (default 5 s; pool sessions wait up to 2 s themselves). */
  readonly stopTimeoutMs?: number | undefined
}

export interface ShutdownReport {
  /** Whether every running job finished within the grace period. */
  readonly drained: boolean
  /** The jobs cut short, now stored as interrupted. */
  readonly interrupted: readonly JobRecord[]
  /** Whether closing finished within its bound (false: it was abandoned, the process may exit anyway). */
  readonly stopped: boolean
}

/** `promise`'s value if it resolves within `ms`; false on timeout or failure (logged). */
async function within(promise: Promise<boolean>, ms: number, log: Log, what: string): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  try {
    return await Promise.race([
      promise.catch((error: unknown) => {
        log.error({ err: error }, `${what} failed during shutdown`)
        return false
      }),
      timeout,
    ])
  } finally {
    clearTimeout(timer)
  }
}

export async function shutdown(steps: ShutdownSteps, options: ShutdownOptions = {}): Promise<ShutdownReport> {
  const graceMs = options.graceMs ?? 10_000
  const stopTimeoutMs = options.stopTimeoutMs ?? 5_000
  const { log } = steps
  log.info({ graceMs }, 'shutting down: no new commands')
  try {
    steps.stopIntake()
  } catch (error) {
    log.error({ err: error }, 'stopping the chat input failed during shutdown')
  }
  const drained = await within(steps.jobsIdle(graceMs), graceMs + 100, log, 'waiting for jobs')
  let interrupted: readonly JobRecord[] = []
  try {
    interrupted = await steps.interruptRunning()
  } catch (error) {
    // The next start marks them interrupted instead (interruptLeftovers).
    log.error({ err: error }, 'marking running jobs interrupted failed during shutdown')
  }
  if (interrupted.length > 0) log.warn({ jobs: interrupted.map((j) => j.id) }, 'jobs interrupted by shutdown')
  const stopped = await within(
    steps.stop().then(() => true),
    stopTimeoutMs,
    log,
    'closing',
  )
  if (!stopped) log.warn({ stopTimeoutMs }, 'closing did not finish in time; exiting anyway')
  log.info({ drained, interrupted: interrupted.length, stopped }, 'shut down')
  return { drained, interrupted, stopped }
}

/** The parts of the app a shutdown drives (src/app.ts). */
export interface ShutdownTarget {
  readonly jobs: { idle(timeoutMs: number): Promise<boolean> }
  interruptRunning(): Promise<readonly JobRecord[]>
  stop(): Promise<void>
}

/** `shutdown` over the app: `stopIntake` stops the chat adapters reading. */
export function shutdownApp(
  app: ShutdownTarget,
  options: ShutdownOptions & { readonly log: Log; readonly stopIntake?: (() => void) | undefined },
): Promise<ShutdownReport> {
  return shutdown(
    {
      stopIntake: options.stopIntake ?? (() => undefined),
      jobsIdle: (ms) => app.jobs.idle(ms),
      interruptRunning: () => app.interruptRunning(),
      stop: () => app.stop(),
      log: options.log,
    },
    options,
  )
}
