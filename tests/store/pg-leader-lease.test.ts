/**
 * The PostgreSQL leader lease (issue #15) between real replicas: one leads; a leader that stops hands
 * over at the next beat; a leader killed with SIGKILL is replaced within ttl + renew by the database's
 * clock, and its running job is then interrupted while a live replica's is spared; a leader cut off
 * from the database steps down before anyone takes over; a dropped connection costs no leadership.
 *
 * Intervals are short (ttl 2 s, renew 250 ms) so the tests are quick; conditions are polled, and the
 * one timed check (the handover bound) is measured on the database's clock with room for a loaded host.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { PgLeaderLease, type PgLeaderLeaseOptions } from '../../src/store/pg/pg-leader-lease.js'
import {
  afterThisTest,
  describePostgres,
  freshSchema,
  openPgTestStore,
  pgClient,
  postgresUrl,
} from '../helpers/postgres.js'
import { jobInput } from './store-helpers.js'

const TTL = 2000
const RENEW = 250
/** What a loaded two-core host may add to a handover (timers late, a slow round trip). */
const SLACK = 1500
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CHILD = fileURLToPath(new URL('./lease-child.ts', import.meta.url))

interface Change {
  readonly replica: string
  readonly leader: boolean
  readonly at: number
}

/** A lease with the test intervals, stopped after the test; its changes go to `log`. */
function lease(schema: string, replicaId: string, log: Change[], over: Partial<PgLeaderLeaseOptions> = {}) {
  const l = new PgLeaderLease({ url: postgresUrl, schema, replicaId, ttlMs: TTL, renewMs: RENEW, ...over })
  l.onChange((leader) => log.push({ replica: replicaId, leader, at: performance.now() }))
  afterThisTest(() => l.stop())
  return l
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = performance.now() + timeoutMs
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Resolves after the replica has heartbeated `n` more times (its seen_at moved n times). */
async function beats(schema: string, replica: string, n: number) {
  const client = await pgClient(schema)
  const seen = async () =>
    (await client.query('SELECT seen_at FROM replicas WHERE id = $1', [replica])).rows[0]?.seen_at as string
  let last = await seen()
  for (let i = 0; i < n; i++) {
    await waitUntil(async () => (await seen()) !== last, TTL * 3, `a heartbeat of ${replica}`)
    last = await seen()
  }
}

const dbNow = async (schema: string) =>
  Number(
    (await (await pgClient(schema)).query('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms'))
      .rows[0]?.ms,
  )

describe('PgLeaderLease options', () => {
  it('refuses a renewal interval that is not shorter than the lease', () => {
    expect(() => new PgLeaderLease({ url: 'postgres://db/x', ttlMs: 1000, renewMs: 1000 })).toThrow(/below its ttlMs/)
    expect(() => new PgLeaderLease({ url: 'http://db/x' })).toThrow(/postgres:\/\//)
  })
})

describePostgres('the PostgreSQL leader lease', () => {
  it('of two replicas one leads and the other follows; both are alive', async () => {
    const schema = await freshSchema()
    const log: Change[] = []
    const [a, b] = [lease(schema, 'replica-a', log), lease(schema, 'replica-b', log)]
    await a.start()
    await b.start()
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false])
    await beats(schema, 'replica-b', 3) // b tried three more times and was refused each time
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false])
    expect(log.map((c) => [c.replica, c.leader])).toEqual([['replica-a', true]])
    expect(await b.alive()).toEqual(['replica-a', 'replica-b'])
    expect(a.term).toBe(1)
  })

  it('a leader that stops hands over at the next beat and leaves the alive set', async () => {
    const schema = await freshSchema()
    const log: Change[] = []
    const [a, b] = [lease(schema, 'replica-a', log), lease(schema, 'replica-b', log)]
    await a.start()
    await b.start()
    await a.stop()
    expect(a.isLeader()).toBe(false)
    await waitUntil(() => b.isLeader(), RENEW + SLACK, 'replica-b to take over')
    expect(log.map((c) => [c.replica, c.leader])).toEqual([
      ['replica-a', true],
      ['replica-a', false],
      ['replica-b', true],
    ])
    expect(await b.alive()).toEqual(['replica-b'])
    expect(b.term).toBe(2)
    await expect(a.alive()).rejects.toThrow('not started')
  })

  it('a leader killed with SIGKILL is replaced within ttl + renew; the new leader interrupts only its jobs', async () => {
    const schema = await freshSchema()
    const store = await openPgTestStore(schema)
    const child = await startChild(schema, 'crashed')
    await store.jobs.create(jobInput({ id: 'j-dead', owner: 'crashed' }))
    await store.jobs.create(jobInput({ id: 'j-live', owner: 'survivor' }))
    const log: Change[] = []
    const survivor = lease(schema, 'survivor', log)
    await survivor.start()
    expect(survivor.isLeader()).toBe(false)
    child.kill('SIGKILL')
    const killedAt = await dbNow(schema)
    await waitUntil(() => survivor.isLeader(), TTL + RENEW + SLACK * 2, 'the survivor to take over')
    const row = (await (await pgClient(schema)).query('SELECT holder, term, acquired_at FROM leader_lease')).rows[0]
    expect(row).toMatchObject({ holder: 'survivor', term: '2' })
    expect(Number(row?.acquired_at) - killedAt).toBeLessThanOrEqual(TTL + RENEW + SLACK)
    // The crashed replica's heartbeat ages out of the alive set (aliveMs = ttl), then its job is closed.
    await waitUntil(async () => !(await survivor.alive()).includes('crashed'), TTL + SLACK, 'crashed to age out')
    const interrupted = await store.jobs.interruptRunning(Date.now(), await survivor.alive())
    expect(interrupted.map((j) => j.id)).toEqual(['j-dead'])
    expect((await store.jobs.get('j-live'))?.state).toBe('running')
  }, 30_000)

  it('a leader cut off from the database steps down before another replica takes over', async () => {
    const schema = await freshSchema()
    const proxy = await blackholeProxy(new URL(postgresUrl))
    const log: Change[] = []
    const viaProxy = new URL(postgresUrl)
    viaProxy.host = `127.0.0.1:${proxy.port}`
    const a = lease(schema, 'replica-a', log, { url: viaProxy.toString() })
    const b = lease(schema, 'replica-b', log)
    await a.start()
    await b.start()
    proxy.freeze() // a's renewals now hang: nothing reaches the server, nothing comes back
    await waitUntil(() => b.isLeader(), TTL * 2 + SLACK * 2, 'replica-b to take over')
    const steppedDown = log.find((c) => c.replica === 'replica-a' && !c.leader)
    const tookOver = log.find((c) => c.replica === 'replica-b' && c.leader)
    expect(steppedDown, 'replica-a stepped down').toBeDefined()
    expect(steppedDown?.at).toBeLessThan(tookOver?.at ?? 0)
    expect(a.isLeader()).toBe(false)
  }, 30_000)

  it('a connection the server drops costs the leader nothing: it reconnects and renews', async () => {
    const schema = await freshSchema()
    const log: Change[] = []
    // Ids no other test uses: the connection is found by its application name, which the whole server
    // sees (another test's replica-a, in its own schema, may be connected meanwhile).
    const ids = [`replica-a-${schema.slice(-8)}`, `replica-b-${schema.slice(-8)}`] as const
    const [a, b] = [lease(schema, ids[0], log), lease(schema, ids[1], log)]
    await a.start()
    await b.start()
    const admin = await pgClient()
    const killed = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [`xen-chatops lease ${ids[0]}`],
    )
    expect(killed.rowCount).toBe(1)
    await beats(schema, ids[0], 3) // heartbeats again, on a new connection
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false])
    expect(log.map((c) => [c.replica, c.leader])).toEqual([[ids[0], true]])
  })
})

/** Starts lease-child.ts as replica `id` and waits until it says it leads. */
async function startChild(schema: string, id: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, postgresUrl, schema, id, String(TTL), String(RENEW)],
    {
      cwd: ROOT,
    },
  )
  afterThisTest(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let out = ''
  let err = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString()
  })
  await waitUntil(
    () => {
      if (child.exitCode !== null) throw new Error(`the lease child exited: ${err}`)
      return out.includes('leader\n')
    },
    15_000,
    'the child to lead',
  )
  return child
}

/** A TCP proxy to PostgreSQL that can be frozen: connections stay open but no byte passes either way. */
async function blackholeProxy(target: URL): Promise<{ port: number; freeze(): void }> {
  let frozen = false
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(Number(target.port || 5432), target.hostname)
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from)
      from.on('data', (chunk) => {
        if (!frozen) to.write(chunk)
      })
      from.on('error', () => to.destroy())
      from.on('close', () => to.destroy())
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  afterThisTest(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('the proxy has no port')
  return {
    port: address.port,
    freeze: () => {
      frozen = true
    },
  }
}
