/**
 * The bot's metrics (issue #12), fed by the hooks the core offers — the dispatcher's and the job
 * runner's observers — by pool connections' `status` events, and by a wrapper around the xscontainer
 * Docker backend that counts its `host.call_plugin` calls (src/xen stays untouched).
 */
import type { DispatchObserver } from '../core/dispatcher.js'
import { isUserError } from '../core/errors.js'
import type { JobObserver } from '../core/jobs.js'
import type { Metrics } from '../core/metrics-port.js'
import type { DockerBackend, PoolStatus, VmSummary } from '../core/ports.js'

export const POOL_STATES: readonly PoolStatus['state'][] = ['connecting', 'synced', 'degraded']

/** Answer latency buckets, in seconds: chat users notice beyond a second, jobs may take a minute. */
const LATENCY_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

/**
 * xscontainer errors raised before any XAPI call is made (the VM is not running, the pool is not
 * connected, the container key is invalid): not counted as calls.
 */
const BEFORE_THE_CALL = new Set(['docker.invalid_container', 'vm.not_running', 'xen.pool_unavailable'])

/** Something that emits `status` events, as PoolConnection does. */
export interface StatusSource {
  readonly name: string
  readonly status: PoolStatus
  on(event: 'status', listener: (status: PoolStatus) => void): unknown
  off(event: 'status', listener: (status: PoolStatus) => void): unknown
}

/** Counts the jobs running now; `idle()` waits (with a bound) until there are none. */
export class JobTracker {
  #running = 0
  #waiters: (() => void)[] = []

  get running(): number {
    return this.#running
  }

  started(): void {
    this.#running++
  }

  finished(): void {
    this.#running = Math.max(0, this.#running - 1)
    if (this.#running === 0) for (const wake of this.#waiters.splice(0)) wake()
  }

  /** Resolves true when no job is running, false when `timeoutMs` passed first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.#running === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        resolve(true)
      }
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== wake)
        resolve(false)
      }, timeoutMs)
      this.#waiters.push(wake)
    })
  }
}

export interface Instruments {
  readonly dispatch: DispatchObserver
  readonly jobs: JobObserver
  readonly tracker: JobTracker
  /** Keeps `xen_chatops_pool_state` current from the pools' status events; returns the unsubscribe. */
  watchPools(pools: readonly StatusSource[]): () => void
  /** The backend with its XAPI plugin calls counted. */
  countXapiCalls(backend: DockerBackend): DockerBackend
}

export function createInstruments(metrics: Metrics): Instruments {
  const commands = metrics.counter({
    name: 'xen_chatops_commands_total',
    help: 'Chat commands handled, by command path and outcome (ok, user_error, denied, bug)',
    labelNames: ['command', 'outcome'],
  })
  const latency = metrics.histogram({
    name: 'xen_chatops_command_duration_seconds',
    help: 'Time from receiving a command to its answer, by command path',
    labelNames: ['command'],
    buckets: LATENCY_BUCKETS,
  })
  const jobs = metrics.counter({
    name: 'xen_chatops_jobs_total',
    help: 'Jobs finished, by outcome (succeeded, failed)',
    labelNames: ['outcome'],
  })
  const running = metrics.gauge({
    name: 'xen_chatops_jobs_running',
    help: 'Jobs running now',
    labelNames: [],
  })
  const xapiCalls = metrics.counter({
    name: 'xen_chatops_xapi_calls_total',
    help: 'XAPI calls made for Docker actions, by pool and method',
    labelNames: ['pool', 'method'],
  })
  const xapiErrors = metrics.counter({
    name: 'xen_chatops_xapi_errors_total',
    help: 'XAPI calls for Docker actions that failed, by pool, method and error code',
    labelNames: ['pool', 'method', 'code'],
  })
  const poolState = metrics.gauge({
    name: 'xen_chatops_pool_state',
    help: 'Pool connection state: 1 for the current state, 0 for the others',
    labelNames: ['pool', 'state'],
  })
  const tracker = new JobTracker()
  running.set({}, 0)

  const showPool = (status: PoolStatus) => {
    for (const state of POOL_STATES) poolState.set({ pool: status.name, state }, state === status.state ? 1 : 0)
  }

  const counted = async <T>(vm: VmSummary, call: () => Promise<T>): Promise<T> => {
    const labels = { pool: vm.pool, method: 'host.call_plugin' }
    try {
      const value = await call()
      xapiCalls.inc(labels)
      return value
    } catch (error) {
      if (isUserError(error) && BEFORE_THE_CALL.has(error.code)) throw error
      xapiCalls.inc(labels)
      const code = isUserError(error) ? (error.source?.code ?? error.code) : 'internal'
      xapiErrors.inc({ ...labels, code })
      throw error
    }
  }

  return {
    tracker,
    dispatch: {
      commandFinished: ({ command, outcome, seconds }) => {
        commands.inc({ command, outcome })
        latency.observe({ command }, seconds)
      },
    },
    jobs: {
      jobStarted: () => {
        tracker.started()
        running.set({}, tracker.running)
      },
      jobFinished: (state) => {
        tracker.finished()
        running.set({}, tracker.running)
        jobs.inc({ outcome: state })
      },
    },
    watchPools: (pools) => {
      const listeners = pools.map((pool) => {
        showPool(pool.status)
        const listener = (status: PoolStatus) => showPool(status)
        pool.on('status', listener)
        return () => pool.off('status', listener)
      })
      return () => {
        for (const off of listeners) off()
      }
    },
    countXapiCalls: (backend) => {
      if (backend.kind !== 'xscontainer') return backend
      return {
        kind: backend.kind,
        list: (vm) => backend.list(vm),
        logs: (vm, container, options) => backend.logs(vm, container, options),
        stats: (vm, container) => backend.stats(vm, container),
        act: (vm, container, action) => counted(vm, () => backend.act(vm, container, action)),
        inspect: (vm, container) => counted(vm, () => backend.inspect(vm, container)),
        top: (vm, container) => counted(vm, () => backend.top(vm, container)),
      }
    },
  }
}
