/**
 * The test chat with governance (issue #6): the real dispatcher, commands, Xen layer and demo simulator
 * of test-chat.ts, plus the real Governance, ApprovalService, JobRunner and SQLite store in a temporary
 * data directory — wired as src/app.ts wires them, with a clock the test can move forward.
 *
 * `restart()` simulates the bot restarting: the store is closed (as when the process ends) and a new
 * store, ApprovalService, JobRunner, Governance and Dispatcher are built on the same data directory,
 * the leftover running jobs marked interrupted — the simulator and the Xen layer stay up.
 *
 * Teardown: this module imports test-chat (and through it helpers/sim) first, so their afterEach hooks
 * are registered first and run last; ours closes the stores and removes the data directory before the
 * Xen layer stops and the simulator closes.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach } from 'vitest'
import { commands } from '../../commands/index.js'
import { type AccessConfig, AccessPolicy, accessSchema } from '../../src/core/access.js'
import { type ApprovalsConfig, approvalsSchema } from '../../src/core/approval-policy.js'
import { ApprovalService } from '../../src/core/approvals.js'
import type { Actor, AnyCommand } from '../../src/core/command.js'
import { Dispatcher } from '../../src/core/dispatcher.js'
import { Governance } from '../../src/core/governance.js'
import { JobRunner } from '../../src/core/jobs.js'
import type { Reply, StatusCard, SubmitOutcome } from '../../src/core/reply.js'
import type { StatusSink } from '../../src/core/status-coalescer.js'
import type { AuditEntry, JobRecord } from '../../src/core/store-ports.js'
import { type Log, silentLog } from '../../src/log.js'
import type { DockerDaemon, DockerEvent } from '../../src/sim/docker/docker-daemon.js'
import type { Scenario } from '../../src/sim/scenario.js'
import type { SimPool } from '../../src/sim/sim-pool.js'
import type { Simulator } from '../../src/sim/simulator.js'
import { DATABASE_FILE, openStore, type Store } from '../../src/store/open-store.js'
import { createDockerRouter } from '../../src/xen/docker-router.js'
import type { ClientTuning } from '../../src/xen/pool-connection.js'
import type { ProvisioningOptions } from '../../src/xen/provision/xen-provisioning.js'
import type { XenLayer } from '../../src/xen/xen-layer.js'
import { allEntries } from './audit-entries.js'
import { startChat, type TestChat } from './test-chat.js'

/**
 * Who may do what. alice operates; bob and carol approve anywhere; dave approves on lab-modern only;
 * lee both operates and approves (for rules that allow self-approval); ada may run every command but
 * approves nothing; eve has no role at all.
 */
export const GOVERNED_ACCESS = accessSchema.parse({
  roles: {
    operator: { permissions: ['docker.read', 'docker.operate', 'xen.read'] },
    approver: { permissions: ['docker.read', 'xen.read', 'approve'] },
    'modern-approver': { permissions: ['docker.read', 'xen.read', 'approve'], pools: ['lab-modern'] },
    // Every permission but approving: for suites that run every command (injection, redaction).
    admin: { permissions: ['docker.read', 'docker.operate', 'docker.admin', 'vm.create', 'xen.read'] },
  },
  subjects: [
    { platform: 'shell', users: ['alice'], roles: ['operator'] },
    { platform: 'shell', users: ['bob', 'carol'], roles: ['approver'] },
    { platform: 'shell', users: ['dave'], roles: ['modern-approver'] },
    { platform: 'shell', users: ['lee'], roles: ['operator', 'approver'] },
    { platform: 'shell', users: ['ada'], roles: ['admin'] },
  ],
})

export type GovernedUser = 'alice' | 'bob' | 'carol' | 'dave' | 'lee' | 'eve' | 'ada'

export const actorOf = (user: GovernedUser): Actor => ({ platform: 'shell', id: user, name: user })

/** One running bot: what src/app.ts builds over the store. */
export interface Bot {
  readonly store: Store
  readonly approvals: ApprovalService
  readonly jobs: JobRunner
  readonly governance: Governance
  readonly dispatcher: Dispatcher
  /** Jobs the previous bot left running, marked interrupted when this one started. */
  readonly interrupted: readonly JobRecord[]
}

export interface GovernedChatOptions {
  /** `approvals.actions` of the config: per command path, its rule (schema defaults apply). */
  readonly rules?: Readonly<Record<string, Record<string, unknown>>> | undefined
  /** Job card edits per interval (default 1 s, as in the app). */
  readonly editIntervalMs?: number | undefined
  /** The bot's logger (default: silent); security tests pass a capturing one and scan it. */
  readonly log?: Log | undefined
  /** Commands registered after the real ones (tests of the dispatcher's own flows). */
  readonly extraCommands?: readonly AnyCommand[] | undefined
  /** The pools to simulate (default: the demo scenario). */
  readonly scenario?: Scenario | undefined
  /** Who may do what (default GOVERNED_ACCESS: the shell users above); chat adapters' tests give their own. */
  readonly access?: AccessConfig | undefined
  /** `/coreos create` settings of the Xen layer (timeouts, docker-ready templates). */
  readonly provisioning?: ProvisioningOptions | undefined
  /** The xen-api client's settings (a short call timeout for hung calls). */
  readonly tuning?: ClientTuning | undefined
}

export interface GovernedChat {
  readonly sim: Simulator
  readonly xen: XenLayer
  /** The bot's SSH key, and where it pins host keys. */
  readonly identity: TestChat['identity']
  readonly hostKeys: TestChat['hostKeys']
  readonly dataDir: string
  /** The SQLite file, for a second connection that breaks things behind the bot's back. */
  readonly dbFile: string
  readonly rules: ApprovalsConfig
  /** The bot as it runs now (a new one after each `restart()`). */
  readonly bot: Bot
  say(user: GovernedUser, text: string, status?: StatusSink): Promise<Reply>
  press(user: GovernedUser, token: string, status?: StatusSink): Promise<Reply>
  submit(user: GovernedUser, token: string, values: Record<string, string>, status?: StatusSink): Promise<SubmitOutcome>
  /** Closes the store and builds a new bot on the same data directory; returns it. */
  restart(): Promise<Bot>
  /** Moves the bot's clock (approvals, jobs, audit times) forward. */
  advance(ms: number): void
  now(): number
  simPool(name: string): SimPool
  daemon(pool: string, vm: string): DockerDaemon
  /** Records the Docker events of a VM's engine from now on (what really happened in the guest). */
  dockerEvents(pool: string, vm: string): DockerEvent[]
  /** The audit log as stored, read through the current store. */
  audit(): Promise<AuditEntry[]>
  /** The access policy the bot checks (for suggestions and adapters built over this chat). */
  readonly access: AccessPolicy
}

const cleanups: (() => void)[] = []

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup()
})

/** Collects the status cards a sink receives (the live card an adapter would edit in place). */
export function cardLog(): { readonly status: StatusSink; readonly cards: StatusCard[] } {
  const cards: StatusCard[] = []
  return {
    cards,
    status: async (card) => {
      cards.push(card)
    },
  }
}

/** A raw connection on the bot's file (closed after the test), as an admin or an attacker would open it. */
export function rawConnection(file: string): Database.Database {
  const db = new Database(file)
  db.pragma('busy_timeout = 5000')
  cleanups.push(() => db.close())
  return db
}

/** The approval id on a card's Approve button (`<id>:approve`). */
export function approvalIdOf(reply: Reply): string {
  const token = reply.blocks
    .flatMap((b) => (b.kind === 'actions' ? b.actions : []))
    .find((a) => a.label === 'Approve')?.token
  const id = token ? /^([a-z0-9]{6}):approve$/.exec(token)?.[1] : undefined
  if (!id) throw new Error(`no Approve button on this reply: ${JSON.stringify(reply.blocks)}`)
  return id
}

/** Starts the demo pools, the Xen layer and a governed bot over a fresh data directory. */
export async function startGovernedChat(options: GovernedChatOptions = {}): Promise<GovernedChat> {
  const chat = await startChat({
    scenario: options.scenario,
    provisioning: options.provisioning,
    tuning: options.tuning,
  })
  const dataDir = mkdtempSync(join(tmpdir(), 'xen-chatops-governed-'))
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
  const rules = approvalsSchema.parse({ actions: options.rules ?? { 'docker restart': {} } })
  const access = new AccessPolicy(options.access ?? GOVERNED_ACCESS)
  let offset = 0
  const now = () => Date.now() + offset

  const build = async (): Promise<Bot> => {
    const store = openStore({ dataDir, now })
    cleanups.push(() => store.close())
    const jobs = new JobRunner({
      store: store.jobs,
      audit: store.audit,
      now,
      editIntervalMs: options.editIntervalMs ?? 1_000,
    })
    const interrupted = await jobs.interruptLeftovers()
    const approvals = new ApprovalService({ store: store.approvals, audit: store.audit, access, now })
    const governance = new Governance({
      approvals,
      jobs,
      audit: store.audit,
      rules,
      interactions: store.interactions,
      now,
    })
    const dispatcher = new Dispatcher({
      commands: [...commands, ...(options.extraCommands ?? [])],
      access,
      inventory: chat.xen.inventory,
      docker: createDockerRouter({ xscontainer: chat.xen.xscontainer, ssh: chat.xen.ssh }),
      log: options.log ?? silentLog,
      dockerSetup: chat.dockerSetup,
      governance,
      provisioning: chat.xen.provisioning,
      records: {
        recentJobs: async (actorKey) => await store.jobs.recent(actorKey, 10),
        pendingApprovals: async () => await store.approvals.pending(now()),
      },
      now,
    })
    return { store, approvals, jobs, governance, dispatcher, interrupted }
  }

  let bot = await build()
  const quiet: StatusSink = async () => undefined
  return {
    sim: chat.sim,
    xen: chat.xen,
    identity: chat.identity,
    hostKeys: chat.hostKeys,
    dataDir,
    dbFile: join(dataDir, DATABASE_FILE),
    rules,
    get bot() {
      return bot
    },
    say: (user, text, status = quiet) => bot.dispatcher.handle({ actor: actorOf(user), text, status }),
    press: (user, token, status = quiet) => bot.dispatcher.press({ actor: actorOf(user), token, status }),
    submit: (user, token, values, status = quiet) =>
      bot.dispatcher.submit({ actor: actorOf(user), token, values, status }),
    restart: async () => {
      await bot.store.close()
      bot = await build()
      return bot
    },
    advance: (ms) => {
      offset += ms
    },
    now,
    simPool: chat.simPool,
    daemon: chat.daemon,
    dockerEvents: (pool, vm) => {
      const events: DockerEvent[] = []
      const daemon = chat.daemon(pool, vm)
      const listener = (event: DockerEvent) => events.push(event)
      daemon.events.on('event', listener)
      cleanups.push(() => daemon.events.off('event', listener))
      return events
    },
    audit: () => allEntries(bot.store.audit),
    access,
  }
}

/** Docker events of one action on one container (`restart` of `nginx-front`), by name. */
export const actions = (events: readonly DockerEvent[], action: string, name: string) =>
  events.filter((e) => e.Action === action && e.Actor.Attributes.name === name)
