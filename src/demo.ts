/**
 * `npm start` / `xen-chatops demo`: the simulated demo pools in-process, a built-in config, and the
 * terminal chat — no accounts, no hypervisor. Logs go to a file so they do not mix with the chat.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { pino } from 'pino'
import { renderStatusCard } from '../adapters/shell/render-text.js'
import { ShellChat } from '../adapters/shell/shell-chat.js'
import { createApp, shellCompletion } from './app.js'
import { validateConfig } from './config.js'
import { jobCard } from './core/jobs.js'
import { createLogger } from './log.js'
import { RealClock } from './sim/clock.js'
import { loadScenario } from './sim/scenario.js'
import { startSimulator } from './sim/simulator.js'

/** Only the demo's in-process pools read it; it never comes from the real environment. */
const DEMO_SECRET_ENV = 'XEN_CHATOPS_DEMO_POOL_PASSWORD'

export function demoAccess() {
  return {
    roles: {
      operator: { permissions: ['docker.read', 'docker.operate', 'xen.read', 'vm.create'] },
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
  /** Keep jobs, approvals and the audit log here (a fresh temporary directory by default). */
  readonly dataDir?: string | undefined
}

/**
 * The demo's approval policy: what can hurt (stop, restart, pause) or costs resources (a new VM, removing
 * a failed one) needs an approver; the rest does not.
 */
export function demoApprovals() {
  const rule = { required: true, approverRoles: ['approver'], ttlMinutes: 30, quorum: 1, selfApproval: false }
  return {
    actions: {
      'docker stop': rule,
      'docker restart': rule,
      'docker pause': rule,
      'coreos create': rule,
      'coreos cleanup': rule,
    },
  }
}

const BANNER = (logFile: string, dataDir: string) =>
  [
    'xen-chatops demo: two simulated pools (lab-legacy with xscontainer, lab-modern without), terminal chat.',
    'You are alice (operator). Try:',
    '  /docker ps web-1',
    '  /docker restart web-1 nginx-front      a request for approval; then /as bob and /press <id>:approve',
    '  /as eve   and the same command again   (eve has no rights)',
    '/xen help lists commands; /xen jobs and /xen approvals show what happened; /quit leaves.',
    `Logs: ${logFile}  Data (jobs, approvals, audit): ${dataDir}`,
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
      approvals: demoApprovals(),
      // Issue #11: alerts print in the terminal chat, as channel #alerts.
      alerts: { default: { platform: 'shell', channel: 'alerts' } },
      platforms: { shell: { user: 'alice' } },
    },
    'built-in demo config',
  )
  const env = { [DEMO_SECRET_ENV]: sim.pools[0]?.password ?? '' }
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'xen-chatops-demo-data-'))
  const app = await createApp({ config, log, env, dataDir, resolveEndpoint: (ip) => sim.resolveSshEndpoint(ip) })
  // The lab-modern Docker VMs were built with the bot's key (their scenario says botKey: true).
  sim.authorizeBotKey(app.identity.publicLine)
  try {
    // The first command should find the inventory filled; a pool that fails is reported, not waited on.
    await Promise.allSettled(app.xen.connections.map((c) => c.synced(15_000)))
    options.output.write(`${BANNER(logFile, dataDir)}\n`)
    // Jobs a previous demo run (same --data-dir) left running: say so, truthfully.
    for (const job of app.interrupted) options.output.write(`${renderStatusCard(jobCard(job)).join('\n')}\n`)
    const chat: ShellChat = new ShellChat({
      dispatcher: app.dispatcher,
      input: options.input,
      output: options.output,
      interactive: options.interactive,
      user: config.platforms.shell?.user ?? 'alice',
      ...shellCompletion(app, () => chat.user),
    })
    app.alerts?.attach(chat.alertSink())
    await chat.run()
  } finally {
    await app.stop()
    await sim.close()
    log.flush()
  }
}
