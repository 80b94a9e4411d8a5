/**
 * Test helpers around the Xen layer: start it against a running simulator, stopped automatically
 * after each test *before* the simulator closes, plus polling and call-count helpers.
 *
 * Teardown order: this module imports helpers/sim first, so the simulator's afterEach is registered
 * first; vitest runs afterEach hooks in reverse registration order, so ours (stop the Xen layer) runs
 * before the simulator closes. `teardowns` records what each teardown saw, so a test can check it.
 */
import { createServer } from 'node:net'
import { afterEach } from 'vitest'
import { type PoolConfig, poolConfigSchema } from '../../src/config.js'
import { createLogger, type Log, silentLog } from '../../src/log.js'
import type { ManualClock } from '../../src/sim/clock.js'
import type { SimPool } from '../../src/sim/sim-pool.js'
import type { Simulator } from '../../src/sim/simulator.js'
import type { ClientTuning } from '../../src/xen/pool-connection.js'
import { createXenLayer, type XenLayer } from '../../src/xen/xen-layer.js'
import './sim.js'

export const FAST_TUNING: ClientTuning = {
  debounce: 5,
  eventPollDelay: 100,
  callTimeout: 5000,
  backoff: { initial: 50, max: 500 },
}

interface Running {
  readonly xen: XenLayer
  readonly sims: readonly Simulator[]
}

const running: Running[] = []

/** What each teardown saw: whether every simulator of the layer was still open when it was stopped. */
export const teardowns: { simsOpen: boolean }[] = []

afterEach(async () => {
  await Promise.all(
    running.splice(0).map(async ({ xen, sims }) => {
      teardowns.push({ simsOpen: sims.every((sim) => sim.pools.every((p) => !p.pool.closed)) })
      await xen.stop()
    }),
  )
})

export interface StartXenOptions {
  /** Which of the simulator's pools to configure (default: all). */
  readonly pools?: readonly string[]
  /** TLS setting for the simulator's pools (default: 'insecure' for https URLs, 'verify' otherwise). */
  readonly tls?: PoolConfig['tls'] | undefined
  /** Further pools, as raw config input (validated by poolConfigSchema); passwords come from `env`. */
  readonly extra?: readonly Record<string, unknown>[]
  readonly env?: Record<string, string>
  readonly tuning?: ClientTuning
  readonly log?: Log
  /** Do not call start() (default: started). */
  readonly manualStart?: boolean
}

export interface TestXen extends XenLayer {
  /** Resolves when every pool named (default: all configured) is synced. */
  ready(names?: readonly string[], timeoutMs?: number): Promise<void>
}

const PASSWORD_VAR = 'XEN_TEST_SIM_PASSWORD'

/** Builds the pool configs for a simulator, starts the Xen layer, and registers it for teardown. */
export function startXen(sim: Simulator | undefined, options: StartXenOptions = {}): TestXen {
  const simPools = sim ? sim.pools.filter((p) => !options.pools || options.pools.includes(p.name)) : []
  const env: Record<string, string> = { ...options.env }
  const pools: PoolConfig[] = simPools.map((p) => {
    env[PASSWORD_VAR] = p.password
    return poolConfigSchema.parse({
      name: p.name,
      url: p.url,
      username: p.username,
      password: { env: PASSWORD_VAR },
      tls: options.tls ?? (p.url.startsWith('https:') ? 'insecure' : 'verify'),
    })
  })
  for (const extra of options.extra ?? []) pools.push(poolConfigSchema.parse(extra))
  const xen = createXenLayer({ pools, log: options.log ?? silentLog, env, tuning: options.tuning ?? FAST_TUNING })
  running.push({ xen, sims: sim ? [sim] : [] })
  if (!options.manualStart) xen.start()
  return {
    ...xen,
    ready: async (names, timeoutMs = 5000) => {
      const wanted = xen.connections.filter((c) => !names || names.includes(c.name))
      await Promise.all(wanted.map((c) => c.synced(timeoutMs)))
    },
  }
}

/** Polls `predicate` every few ms until it returns a truthy value, which it returns; fails after `timeoutMs`. */
export async function waitFor<T>(
  predicate: () => T | undefined | null | false,
  timeoutMs = 5000,
  what = 'the expected condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = predicate()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** A loopback port nothing listens on (a server is opened on a free port, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** Calls per method since `before` (a copy of `pool.callCounts`), only methods that were called. */
export function callsSince(pool: SimPool, before: ReadonlyMap<string, number>): Record<string, number> {
  const delta: Record<string, number> = {}
  for (const [method, count] of pool.callCounts) {
    const d = count - (before.get(method) ?? 0)
    if (d > 0) delta[method] = d
  }
  return delta
}

/** The ref of the object of class `cls` named `name` in the simulator's store. */
export function refOf(pool: SimPool, cls: string, name: string): string {
  const ref = pool.store.find(cls, (r) => r.name_label === name)[0]
  if (!ref) throw new Error(`no ${cls} named ${name} in pool ${pool.name}`)
  return ref
}

/** Advances a ManualClock in small steps until `promise` settles (simulated operations sleep on it). */
export async function driveClock<T>(clock: ManualClock, promise: Promise<T>, stepMs = 250, maxSteps = 400): Promise<T> {
  let settled = false
  const tracked = promise.finally(() => {
    settled = true
  })
  for (let i = 0; i < maxSteps && !settled; i++) {
    await clock.advance(stepMs)
    await new Promise((resolve) => setImmediate(resolve))
  }
  return tracked
}

/** The project's logger (redaction included), keeping every JSON line it writes for assertions. */
export function capturingLog(): { log: Log; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const log = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  })
  return { log, lines }
}
