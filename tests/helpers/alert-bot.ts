/**
 * The whole bot with its alert channel (issue #11), as src/app.ts builds it, against the simulator:
 * one ManualClock runs both the simulated pools (crash timers, xscontainer's retries) and the alerts
 * (windows, holds, the per-destination rate), so a test moves "sim time" by hand. Alerts go to a
 * RecordingSink — the AlertSink port faked at its interface — which keeps every post and every edit
 * with the clock time it happened at, and each message's latest state.
 *
 * `restart()` stops the bot and builds a new one on the same data directory (a new Xen layer too, as a
 * real restart would), with a new sink (the old messages keep their ids in the store).
 *
 * Teardown: helpers/sim is imported first, so its afterEach (closing the simulator) runs after ours.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, vi } from 'vitest'
import { type App, createApp } from '../../src/app.js'
import { validateConfig } from '../../src/config.js'
import type { Actor } from '../../src/core/command.js'
import type { Reply } from '../../src/core/reply.js'
import { silentLog } from '../../src/log.js'
import type { DockerDaemon } from '../../src/sim/docker/docker-daemon.js'
import { loadScenario, type Scenario } from '../../src/sim/scenario.js'
import type { SimPool } from '../../src/sim/sim-pool.js'
import type { Simulator } from '../../src/sim/simulator.js'
import { RecordingSink } from './recording-sink.js'
import { ManualClock, startSim } from './sim.js'
import { FAST_TUNING, refOf, waitFor } from './xen.js'

export {
  buttonsOf,
  fieldOf,
  headOf,
  plainText,
  RecordingSink,
  type SinkCall,
  tokenOf,
} from './recording-sink.js'

/**
 * The demo pools without their one crash loop (queue-worker on web-2 restarts every few seconds, which
 * is a restart-loop alert of its own): for tests that expect nothing else to happen.
 */
export function quietDemo(): Scenario {
  const scenario = structuredClone(loadScenario('demo'))
  for (const pool of scenario.pools) {
    for (const vm of pool.vms) {
      for (const container of vm.docker?.containers ?? []) {
        if (container.name !== 'queue-worker') continue
        container.state = 'running'
        container.crash = undefined
      }
    }
  }
  return scenario
}

export interface AlertBotOptions {
  /** Default: quietDemo(). */
  readonly scenario?: string | Scenario | undefined
  /** The `alerts` section (validated with the app's schema); default: everything to shell #ops. */
  readonly alerts?: Record<string, unknown> | undefined
  /** `approvals.actions` of the config. */
  readonly approvals?: Record<string, Record<string, unknown>> | undefined
}

/** alice operates, bob approves, eve has no rights (the governed demo's users). */
export const ALERT_ACCESS = {
  roles: {
    operator: { permissions: ['docker.read', 'docker.operate', 'xen.read'] },
    approver: { permissions: ['docker.read', 'xen.read', 'approve'] },
  },
  subjects: [
    { platform: 'shell', users: ['alice'], roles: ['operator'] },
    { platform: 'shell', users: ['bob'], roles: ['approver'] },
  ],
}

export const actor = (name: string): Actor => ({ platform: 'shell', id: name, name })

export interface AlertBot {
  readonly sim: Simulator
  readonly clock: ManualClock
  readonly dataDir: string
  readonly app: App
  readonly sink: RecordingSink
  simPool(name: string): SimPool
  daemon(pool: string, vm: string): DockerDaemon
  /** Waits (real time) until `test` holds, polling; sim time stands still. */
  until<T>(test: () => T | undefined | null | false, what: string): Promise<T>
  /** Waits until `test` holds, moving sim time `stepMs` at each poll (for what waits on a rate slot or a timer). */
  settle<T>(test: () => T | undefined | null | false, what: string, stepMs?: number): Promise<T>
  /** Moves sim and alert time forward, in steps, letting the event stream deliver between them. */
  advance(ms: number, stepMs?: number): Promise<void>
  say(user: string, text: string): Promise<Reply>
  press(user: string, token: string): Promise<Reply>
  /** Stops the bot and starts a new one on the same data directory and simulator. */
  restart(): Promise<AlertBot>
}

const running: App[] = []
const dirs: string[] = []
const spies: { mockRestore(): void }[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  for (const spy of spies.splice(0)) spy.mockRestore()
})

export async function startAlertBot(options: AlertBotOptions = {}): Promise<AlertBot> {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0))
  const sim = await startSim({ scenario: options.scenario ?? quietDemo(), clock })
  const dataDir = mkdtempSync(join(tmpdir(), 'xen-chatops-alerts-'))
  dirs.push(dataDir)
  const config = validateConfig(
    {
      log: { level: 'silent' },
      pools: sim.pools.map((p) => ({ name: p.name, url: p.url, username: p.username, password: { env: 'SIM_PW' } })),
      access: ALERT_ACCESS,
      approvals: { actions: options.approvals ?? {} },
      alerts: options.alerts ?? { default: { platform: 'shell', channel: 'ops' } },
      platforms: { shell: { user: 'alice' } },
    },
    'alert test config',
  )
  const env = { SIM_PW: sim.pools[0]?.password ?? '' }
  const build = async (): Promise<AlertBot> => {
    const app = await createApp({ config, log: silentLog, env, dataDir, tuning: FAST_TUNING, alertClock: clock })
    running.push(app)
    const sink = new RecordingSink(() => clock.now())
    app.alerts?.attach(sink)
    // xen-api reports a failing event stream on the console; the pool-connection tests cause that on purpose.
    spies.push(vi.spyOn(console, 'warn').mockImplementation(() => undefined))
    await Promise.all(app.xen.connections.map((c) => c.synced(10_000)))
    const bot: AlertBot = {
      sim,
      clock,
      dataDir,
      app,
      sink,
      simPool: (name) => sim.pool(name).pool,
      daemon: (pool, vm) => {
        const p = sim.pool(pool).pool
        const daemon = p.guests.get(refOf(p, 'VM', vm))?.docker
        if (!daemon) throw new Error(`${vm} runs no simulated Docker engine`)
        return daemon
      },
      until: (test, what) => waitFor(test, 10_000, what),
      settle: async (test, what, stepMs = 250) => {
        for (let i = 0; i < 400; i++) {
          const value = test()
          if (value) return value
          await clock.advance(stepMs)
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        throw new Error(`${what} did not happen within ${(400 * stepMs) / 1000} s of sim time`)
      },
      advance: async (ms, stepMs = 1_000) => {
        for (let done = 0; done < ms; done += stepMs) {
          await clock.advance(Math.min(stepMs, ms - done))
          // Lets a pending event.from answer, and its changes reach the inventory and the alerts.
          await new Promise((resolve) => setTimeout(resolve, 15))
        }
      },
      say: (user, text) => app.dispatcher.handle({ actor: actor(user), text }),
      press: (user, token) => app.dispatcher.press({ actor: actor(user), token }),
      restart: async () => {
        await app.stop()
        return build()
      },
    }
    return bot
  }
  return build()
}
