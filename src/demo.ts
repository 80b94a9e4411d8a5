/**
 * `npm start` / `xen-chatops demo`: the simulated demo pools in-process, a built-in config, and the
 * terminal chat — no accounts, no hypervisor. Logs go to a file so they do not mix with the chat.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { pino } from 'pino'
import { ShellChat } from '../adapters/shell/shell-chat.js'
import { createApp } from './app.js'
import { validateConfig } from './config.js'
import { createLogger } from './log.js'
import { RealClock } from './sim/clock.js'
import { loadScenario } from './sim/scenario.js'
import { startSimulator } from './sim/simulator.js'

/** Only the demo's in-process pools read it; it never comes from the real environment. */
const DEMO_SECRET_ENV = 'XEN_CHATOPS_DEMO_POOL_PASSWORD'

export function demoAccess() {
  return {
    roles: {
      operator: { permissions: ['docker.read', 'docker.operate', 'xen.read'] },
      approver: { permissions: ['docker.read', 'xen.read', 'approve'] },
    },
    subjects: [
      { platform: 'shell', users: ['alice'], roles: ['operator'] },
      { platform: 'shell', users: ['bob'], roles: ['approver'] },
    ],
  }
}

export interface DemoOptions {
  readonly input: Readable
  readonly output: Writable
  readonly interactive: boolean
  /** Simulated time speed (boot delays, monitor retries); 1 is real time. */
  readonly speed?: number | undefined
  readonly logFile?: string | undefined
}

const BANNER = (logFile: string) =>
  [
    'xen-chatops demo: two simulated pools (lab-legacy with xscontainer, lab-modern without), terminal chat.',
    'You are alice (operator). Try:',
    '  /docker ps web-1',
    '  /docker restart web-1 nginx-front      then /press <token> to confirm',
    '  /as eve   and the same command again   (eve has no rights)',
    `/xen help lists commands; /as bob switches user; /quit leaves. Logs: ${logFile}`,
  ].join('\n')

export async function runDemo(options: DemoOptions): Promise<void> {
  const logFile = options.logFile ?? join(tmpdir(), `xen-chatops-demo-${process.pid}.log`)
  const log = createLogger({ level: 'info', destination: pino.destination({ dest: logFile, sync: false }) })
  const sim = await startSimulator({ scenario: loadScenario('demo'), clock: new RealClock(options.speed ?? 1) })
  const config = validateConfig(
    {
      pools: sim.pools.map((p) => ({
        name: p.name,
        url: p.url,
        username: p.username,
        password: { env: DEMO_SECRET_ENV },
      })),
      access: demoAccess(),
      platforms: { shell: { user: 'alice' } },
    },
    'built-in demo config',
  )
  const env = { [DEMO_SECRET_ENV]: sim.pools[0]?.password ?? '' }
  const app = createApp({ config, log, env })
  try {
    // The first command should find the inventory filled; a pool that fails is reported, not waited on.
    await Promise.allSettled(app.xen.connections.map((c) => c.synced(15_000)))
    options.output.write(`${BANNER(logFile)}\n`)
    const chat = new ShellChat({
      dispatcher: app.dispatcher,
      input: options.input,
      output: options.output,
      interactive: options.interactive,
      user: config.platforms.shell?.user ?? 'alice',
    })
    await chat.run()
  } finally {
    await app.stop()
    await sim.close()
    log.flush()
  }
}
