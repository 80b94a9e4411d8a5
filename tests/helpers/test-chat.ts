/**
 * A chat to drive commands through in tests (errbot's testbot, hubot's DummyAdapter): the real
 * dispatcher and the real commands over the real Xen layer, connected to the simulated demo pools.
 * `say('alice', '/docker ps web-1')` returns the Reply the adapter would render; `plain()` renders it
 * as text for assertions.
 *
 * Teardown order: helpers/sim is imported first, so its afterEach (close the simulator) is registered
 * first; vitest runs afterEach hooks in reverse registration order, so ours — stop the Xen layer —
 * runs before the simulator closes. `chatTeardowns` records what each teardown saw.
 */
import { afterEach } from 'vitest'
import { commands } from '../../commands/index.js'
import { poolConfigSchema } from '../../src/config.js'
import { AccessPolicy, accessSchema } from '../../src/core/access.js'
import type { Actor } from '../../src/core/command.js'
import { Dispatcher } from '../../src/core/dispatcher.js'
import type { HostKeyStore } from '../../src/core/host-keys.js'
import type { Block, Reply } from '../../src/core/reply.js'
import { silentLog } from '../../src/log.js'
import type { DockerDaemon } from '../../src/sim/docker/docker-daemon.js'
import type { Scenario } from '../../src/sim/scenario.js'
import type { SimPool } from '../../src/sim/sim-pool.js'
import type { Simulator } from '../../src/sim/simulator.js'
import { openStore } from '../../src/store/open-store.js'
import { createDockerRouter } from '../../src/xen/docker-router.js'
import type { ClientTuning } from '../../src/xen/pool-connection.js'
import type { ProvisioningOptions } from '../../src/xen/provision/xen-provisioning.js'
import { BotIdentity } from '../../src/xen/ssh/bot-identity.js'
import { XenDockerSetup } from '../../src/xen/ssh/docker-setup.js'
import { generateEd25519 } from '../../src/xen/ssh/generate-key.js'
import type { SshDockerBackend } from '../../src/xen/ssh/ssh-docker-backend.js'
import { createXenLayer, type XenLayer } from '../../src/xen/xen-layer.js'
import { startSim } from './sim.js'

/** The demo users (shell platform): what each may do. eve has no role at all. */
export const DEMO_ACCESS = accessSchema.parse({
  roles: {
    operator: { permissions: ['docker.read', 'docker.operate', 'xen.read'] },
    approver: { permissions: ['docker.read', 'xen.read', 'approve'] },
    'modern-operator': { permissions: ['docker.read', 'docker.operate'], pools: ['lab-modern'] },
  },
  subjects: [
    { platform: 'shell', users: ['alice'], roles: ['operator'] },
    { platform: 'shell', users: ['bob'], roles: ['approver'] },
    { platform: 'shell', users: ['carol'], roles: ['modern-operator'] },
  ],
})

export type DemoUser = 'alice' | 'bob' | 'carol' | 'eve'

export interface TestChat {
  readonly sim: Simulator
  readonly xen: XenLayer
  /** The bot's SSH key (the demo's modern guests trust it) and where its host keys are pinned. */
  readonly identity: BotIdentity
  readonly hostKeys: HostKeyStore
  /** `/docker enable|disable` and `/xen key|trust` over this simulator. */
  readonly dockerSetup: XenDockerSetup
  readonly dispatcher: Dispatcher
  say(user: DemoUser, text: string): Promise<Reply>
  press(user: DemoUser, token: string): Promise<Reply>
  /** A pool of the simulator, for looking behind the bot's back (records, guests). */
  simPool(name: string): SimPool
  /** The simulated Docker engine inside a VM, to check what really happened (or to act behind the bot). */
  daemon(pool: string, vm: string): DockerDaemon
}

const running: { xen: XenLayer; sim: Simulator; close: () => void }[] = []

/** What each teardown saw: whether the simulator was still open when the Xen layer was stopped. */
export const chatTeardowns: { simOpen: boolean }[] = []

afterEach(async () => {
  await Promise.all(
    running.splice(0).map(async ({ xen, sim, close }) => {
      chatTeardowns.push({ simOpen: sim.pools.every((p) => !p.pool.closed) })
      await xen.stop()
      close()
    }),
  )
})

const actor = (user: DemoUser): Actor => ({ platform: 'shell', id: user, name: user })

/** Starts the demo pools and the bot over them; both stop after the current test. */
export async function startChat(
  options: {
    readonly scenario?: Scenario | undefined
    readonly provisioning?: ProvisioningOptions | undefined
    /** The xen-api client's settings (default: fast polls, 5 s call timeout). */
    readonly tuning?: ClientTuning | undefined
  } = {},
): Promise<TestChat> {
  const sim = await startSim({ scenario: options.scenario ?? 'demo' })
  const pools = sim.pools.map((p) =>
    poolConfigSchema.parse({
      name: p.name,
      url: p.url,
      username: p.username,
      password: { env: 'SIM_PW' },
      tls: 'verify',
    }),
  )
  // The bot's SSH side: a fresh key the demo's modern guests trust, pins in memory, the simulator's map.
  const identity = new BotIdentity(generateEd25519('xen-chatops@test').private, 'test')
  sim.authorizeBotKey(identity.publicLine)
  const pins = openStore({ memory: true })
  const hostKeys = pins.hostKeys
  const xen = createXenLayer({
    pools,
    log: silentLog,
    env: { SIM_PW: 'xenroot' },
    tuning: options.tuning ?? { debounce: 5, eventPollDelay: 100, callTimeout: 5000 },
    ssh: { identity, hostKeys, resolveEndpoint: (ip) => sim.resolveSshEndpoint(ip), callTimeoutMs: 5000 },
    provisioning: options.provisioning,
  })
  running.push({ xen, sim, close: () => pins.close() })
  xen.start()
  await Promise.all(xen.connections.map((c) => c.synced(5000)))
  const dockerSetup = new XenDockerSetup({
    connections: xen.connections,
    inventory: xen.inventory,
    identity,
    hostKeys,
    resolveEndpoint: (ip) => sim.resolveSshEndpoint(ip),
    backend: xen.ssh as SshDockerBackend,
    connectTimeoutMs: 3000,
  })
  const dispatcher = new Dispatcher({
    commands,
    access: new AccessPolicy(DEMO_ACCESS),
    inventory: xen.inventory,
    docker: createDockerRouter({ xscontainer: xen.xscontainer, ssh: xen.ssh }),
    log: silentLog,
    dockerSetup,
  })
  return {
    sim,
    xen,
    identity,
    hostKeys,
    dockerSetup,
    dispatcher,
    say: (user, text) => dispatcher.handle({ actor: actor(user), text }),
    press: (user, token) => dispatcher.press({ actor: actor(user), token }),
    simPool: (name) => sim.pool(name).pool,
    daemon: (poolName, vm) => simDaemon(sim, poolName, vm),
  }
}

/** The simulated Docker engine inside a VM of the simulator (what really happened in the guest). */
export function simDaemon(sim: Simulator, poolName: string, vm: string): DockerDaemon {
  const pool = sim.pool(poolName).pool
  const ref = pool.store.find('VM', (r) => r.name_label === vm)[0]
  const daemon = ref === undefined ? undefined : pool.guests.get(ref)?.docker
  if (!daemon) throw new Error(`${vm} in ${poolName} runs no simulated Docker engine`)
  return daemon
}

function renderBlock(block: Block): string[] {
  switch (block.kind) {
    case 'text':
    case 'context':
      return [block.text]
    case 'fields':
      return block.fields.map((f) => `${f.label}: ${f.value}`)
    case 'table':
      return [block.columns, ...block.rows].map((row) => row.join(' | ')).concat(block.note ? [block.note] : [])
    case 'actions':
      return [block.actions.map((a) => `[${a.label}: ${a.token}]`).join(' ')]
    case 'status':
      return [`${block.card.title} (${block.card.state})`]
  }
}

/** The reply as terminal-like text: one line per text, field and table row. */
export const plain = (reply: Reply) => reply.blocks.flatMap(renderBlock).join('\n')

/** The reply's only table (fails the test when there is none, or several). */
export function tableOf(reply: Reply): { columns: readonly string[]; rows: readonly (readonly string[])[] } {
  const tables = reply.blocks.filter((b) => b.kind === 'table')
  if (tables.length !== 1 || !tables[0]) throw new Error(`expected one table, got ${tables.length}:\n${plain(reply)}`)
  return tables[0]
}

/** The reply's fields as a record. */
export function fieldsOf(reply: Reply): Record<string, string> {
  return Object.fromEntries(
    reply.blocks.flatMap((b) => (b.kind === 'fields' ? b.fields.map((f) => [f.label, f.value] as const) : [])),
  )
}

/** The token of the button labelled `label`. */
export function tokenOf(reply: Reply, label: string): string {
  const action = reply.blocks.flatMap((b) => (b.kind === 'actions' ? b.actions : [])).find((a) => a.label === label)
  if (!action) throw new Error(`no "${label}" button in:\n${plain(reply)}`)
  return action.token
}
