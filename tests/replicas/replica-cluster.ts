/**
 * Several bot replicas on one PostgreSQL schema (issue #15), the same simulated pools and one fake
 * Slack, each replica with its own Socket Mode connection to it: in this process (startReplica), or in
 * a child process the test can SIGKILL (replica-child.ts). The test then delivers Slack events to one
 * replica's connection or to every one, and reads what reached Slack, the simulator and the database.
 *
 * Teardown: helpers/sim is imported before helpers/postgres, so (after hooks run last-registered
 * first) the replicas stop, the fake Slack closes and the schema is dropped before the simulator closes.
 */
import '../helpers/sim.js'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import type { Scenario } from '../../src/sim/scenario.js'
import type { Simulator } from '../../src/sim/simulator.js'
import type { Store } from '../../src/store/open-store.js'
import { FakeSlack } from '../adapters/slack/fake-slack.js'
import { type SlackUser, slashCommand } from '../adapters/slack/slack-payloads.js'
import { afterThisTest, freshSchema, openPgTestStore, postgresUrl } from '../helpers/postgres.js'
import { startSim } from '../helpers/sim.js'
import { type Replica, type ReplicaSpec, startReplica } from './replica.js'

export const USERS = {
  alice: { id: 'U0ALICE', name: 'alice' },
  bob: { id: 'U0BOB', name: 'bob' },
  carol: { id: 'U0CAROL', name: 'carol' },
} as const satisfies Record<string, SlackUser>

/** Short lease intervals: a dead leader is replaced within TTL + RENEW (plus a round trip). */
export const TTL_MS = 1200
export const RENEW_MS = 300

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CHILD = fileURLToPath(new URL('./replica-child.ts', import.meta.url))

export interface LeaderChange {
  readonly leader: boolean
  /** performance.now() when this process heard of it (for a child: when its line arrived). */
  readonly at: number
}

interface Member {
  readonly id: string
  /** Its Socket Mode connection's number at the fake Slack (see FakeSlack.connections). */
  readonly connection: number
  readonly changes: LeaderChange[]
}

export interface LocalReplica extends Member, Replica {}

export interface ChildReplica extends Member {
  readonly process: ChildProcess
  /** SIGKILL: no stop(), the lease stays taken until it runs out. Resolves once the process is gone. */
  kill(): Promise<void>
}

export interface ClusterOptions {
  readonly scenario?: string | Scenario | undefined
  readonly alerts?: Record<string, unknown> | undefined
  readonly approvals?: Record<string, Record<string, unknown>> | undefined
  readonly orphanSweepMs?: number | undefined
}

export interface Cluster {
  readonly sim: Simulator
  readonly slack: FakeSlack
  readonly schema: string
  /** A store of the test's own on the replicas' schema, to read what they wrote. */
  readonly store: Store
  start(id: string): Promise<LocalReplica>
  startChild(id: string): Promise<ChildReplica>
  /** `/docker ps web-1` typed by `user` in #ops, as Slack sends it (one trigger id, one response_url). */
  slashCommand(user: keyof typeof USERS, line: string): Record<string, unknown>
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const sim = await startSim({ scenario: options.scenario ?? 'demo' })
  const schema = await freshSchema()
  const slack = await FakeSlack.start()
  afterThisTest(() => slack.close())
  const store = await openPgTestStore(schema)
  const taken = new Set<number>()
  const spec = (id: string): ReplicaSpec => {
    const dataDir = mkdtempSync(join(tmpdir(), `xen-chatops-replica-${id}-`))
    afterThisTest(async () => rmSync(dataDir, { recursive: true, force: true }))
    return {
      replicaId: id,
      postgresUrl,
      schema,
      pools: sim.pools.map((p) => ({ name: p.name, url: p.url, username: p.username, password: p.password })),
      slackApiUrl: slack.apiUrl,
      dataDir,
      ttlMs: TTL_MS,
      renewMs: RENEW_MS,
      orphanSweepMs: options.orphanSweepMs,
      alerts: options.alerts,
      approvals: options.approvals,
    }
  }
  /** The connection that appeared when this replica's adapter started. */
  const connectionOf = async (): Promise<number> => {
    await slack.connected(taken.size + 1)
    const fresh = slack.connections.find((n) => !taken.has(n))
    if (fresh === undefined) throw new Error('no new Socket Mode connection')
    taken.add(fresh)
    return fresh
  }
  return {
    sim,
    slack,
    schema,
    store,
    async start(id) {
      const replica = await startReplica(spec(id))
      afterThisTest(() => replica.app.stop())
      const changes: LeaderChange[] = replica.lease.isLeader() ? [{ leader: true, at: performance.now() }] : []
      replica.lease.onChange((leader) => changes.push({ leader, at: performance.now() }))
      return { ...replica, id, connection: await connectionOf(), changes }
    },
    async startChild(id) {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(spec(id))], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      const kill = async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
        await gone
      }
      afterThisTest(kill)
      const changes: LeaderChange[] = []
      let out = ''
      let err = ''
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        for (;;) {
          const end = out.indexOf('\n')
          if (end < 0) break
          const line = out.slice(0, end)
          out = out.slice(end + 1)
          if (line === 'leader' || line === 'follower')
            changes.push({ leader: line === 'leader', at: performance.now() })
        }
      })
      child.stderr?.on('data', (chunk: Buffer) => {
        err += chunk.toString()
      })
      await new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`replica ${id} did not start within 30 s: ${err}`)), 30_000)
        const check = () => {
          if (changes.length > 0) {
            clearTimeout(deadline)
            resolve()
          }
        }
        child.stdout?.on('data', check)
        child.once('exit', (code, signal) => {
          clearTimeout(deadline)
          reject(new Error(`replica ${id} exited (${code ?? signal}) before it was ready: ${err}`))
        })
      })
      return { id, process: child, kill, connection: await connectionOf(), changes }
    },
    slashCommand: (user, line) => slashCommand(slack, USERS[user], line) as unknown as Record<string, unknown>,
  }
}

/** Polls `condition` (real time) until it holds; fails naming `what` after `ms`. */
type Falsy = false | null | undefined | 0 | ''

export async function until<T>(condition: () => T | Falsy | Promise<T | Falsy>, what: string, ms = 15_000): Promise<T> {
  const deadline = performance.now() + ms
  for (;;) {
    const value = await condition()
    if (value) return value
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
