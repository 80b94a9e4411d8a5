/**
 * Operability (issue #12): the whole app in-process over the demo pools, with its HTTP server on a
 * free port — /metrics counts what the dispatcher, the jobs and the pools did; /healthz follows the
 * pools; a shutdown waits a bounded time for a held job, then stores it as interrupted.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type App, createApp } from '../../src/app.js'
import { validateConfig } from '../../src/config.js'
import type { Actor } from '../../src/core/command.js'
import type { Reply } from '../../src/core/reply.js'
import { demoAccess } from '../../src/demo.js'
import { silentLog } from '../../src/log.js'
import { shutdownApp } from '../../src/ops/shutdown.js'
import type { Simulator } from '../../src/sim/simulator.js'
import { openStore } from '../../src/store/open-store.js'
import { allEntries } from '../helpers/audit-entries.js'
import { startSim } from '../helpers/sim.js'
import { FAST_TUNING, waitFor } from '../helpers/xen.js'

const cleanups: (() => Promise<void> | void)[] = []

// Registered after helpers/sim's hook, so it runs before the simulator closes.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const actor = (user: string): Actor => ({ platform: 'shell', id: user, name: user })

interface Running {
  readonly sim: Simulator
  readonly app: App
  readonly url: string
  readonly dataDir: string
  say(user: string, text: string): Promise<Reply>
  press(user: string, token: string): Promise<Reply>
}

async function startApp(options: { http?: boolean } = {}): Promise<Running> {
  const sim = await startSim({ scenario: 'demo' })
  const config = validateConfig(
    {
      pools: sim.pools.map((p) => ({ name: p.name, url: p.url, username: p.username, password: { env: 'SIM_PW' } })),
      access: demoAccess(),
      platforms: { shell: { user: 'alice' } },
      ...(options.http === false ? {} : { http: { port: 0 } }),
    },
    'test config',
  )
  const dataDir = mkdtempSync(join(tmpdir(), 'xen-chatops-ops-'))
  const app = await createApp({
    config,
    log: silentLog,
    env: { SIM_PW: sim.pools[0]?.password ?? '' },
    dataDir,
    tuning: FAST_TUNING,
  })
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
  cleanups.push(() => app.stop())
  await Promise.all(app.xen.connections.map((c) => c.synced(10_000)))
  const http = await app.startHttp()
  return {
    sim,
    app,
    url: http?.url ?? '',
    dataDir,
    say: (user, text) => app.dispatcher.handle({ actor: actor(user), text }),
    press: (user, token) => app.dispatcher.press({ actor: actor(user), token }),
  }
}

const tokenOf = (reply: Reply, label: string): string => {
  const token = reply.blocks.flatMap((b) => (b.kind === 'actions' ? b.actions : [])).find((a) => a.label === label)
  if (!token) throw new Error(`no ${label} button: ${JSON.stringify(reply.blocks)}`)
  return token.token
}

/** The samples of a Prometheus text exposition: `name{labels}` → value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  const samples = new Map<string, number>()
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const at = line.lastIndexOf(' ')
    samples.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return samples
}

async function healthz(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/healthz`)
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('/metrics', () => {
  it('counts commands by name and outcome, answer latency, jobs, plugin calls and pool states', async () => {
    const bot = await startApp()
    await bot.say('alice', '/docker ps web-1')
    await bot.say('alice', '/docker ps web-1')
    await bot.say('eve', '/docker ps web-1')
    await bot.say('alice', '/docker ps no-such-vm')
    await bot.say('alice', '/dokcer ps')
    const ask = await bot.say('alice', '/docker stop web-1 redis-cache')
    const done = await bot.press('alice', tokenOf(ask, 'Confirm'))
    expect(done.blocks[0]).toMatchObject({ kind: 'text' })

    const m = await scrape(bot.url)
    expect(m.get('xen_chatops_commands_total{command="docker ps",outcome="ok"}')).toBe(2)
    expect(m.get('xen_chatops_commands_total{command="docker ps",outcome="denied"}')).toBe(1)
    expect(m.get('xen_chatops_commands_total{command="docker ps",outcome="user_error"}')).toBe(1)
    expect(m.get('xen_chatops_commands_total{command="unknown",outcome="user_error"}')).toBe(1)
    expect(m.get('xen_chatops_commands_total{command="docker stop",outcome="ok"}')).toBe(1)
    expect(m.get('xen_chatops_commands_total{command="press",outcome="ok"}')).toBe(1)
    expect(m.get('xen_chatops_command_duration_seconds_count{command="docker ps"}')).toBe(4)
    expect(m.get('xen_chatops_command_duration_seconds_bucket{le="+Inf",command="docker ps"}')).toBe(4)
    expect(m.get('xen_chatops_jobs_total{outcome="succeeded"}')).toBe(1)
    expect(m.get('xen_chatops_jobs_running')).toBe(0)
    expect(m.get('xen_chatops_xapi_calls_total{pool="lab-legacy",method="host.call_plugin"}')).toBe(1)
    expect(
      m.has('xen_chatops_xapi_errors_total{pool="lab-legacy",method="host.call_plugin",code="XENAPI_PLUGIN_FAILURE"}'),
    ).toBe(false)
    for (const pool of ['lab-legacy', 'lab-modern']) {
      expect(m.get(`xen_chatops_pool_state{pool="${pool}",state="synced"}`)).toBe(1)
      expect(m.get(`xen_chatops_pool_state{pool="${pool}",state="degraded"}`)).toBe(0)
      expect(m.get(`xen_chatops_pool_state{pool="${pool}",state="connecting"}`)).toBe(0)
    }
  })

  it('counts a failing plugin call by its error code', async () => {
    const bot = await startApp()
    // redis-cache is not paused: unpausing it is refused by Docker, through the plugin.
    await bot.say('alice', '/docker unpause web-1 redis-cache')
    const [job] = await bot.app.store.jobs.recent('shell:alice', 1)
    expect([job?.state, job?.error]).toEqual(['failed', 'redis-cache is not paused'])
    const m = await scrape(bot.url)
    expect(m.get('xen_chatops_xapi_calls_total{pool="lab-legacy",method="host.call_plugin"}')).toBe(1)
    const errors = [...m].filter(([k]) => k.startsWith('xen_chatops_xapi_errors_total'))
    expect(errors).toEqual([
      ['xen_chatops_xapi_errors_total{pool="lab-legacy",method="host.call_plugin",code="XENAPI_PLUGIN_FAILURE"}', 1],
    ])
    expect(m.get('xen_chatops_jobs_total{outcome="failed"}')).toBe(1)
  })

  it('an unknown path is 404, a POST 405; without http.port no server starts', async () => {
    const bot = await startApp()
    expect((await fetch(`${bot.url}/nope`)).status).toBe(404)
    expect((await fetch(`${bot.url}/metrics`, { method: 'POST' })).status).toBe(405)
    const quiet = await startApp({ http: false })
    expect(await quiet.app.startHttp()).toBeUndefined()
  })
})

describe('/healthz', () => {
  it('200 while a pool is synced; 503 with the reasons when both pools degrade; 200 again when they recover', async () => {
    const bot = await startApp()
    const up = await healthz(bot.url)
    expect(up).toEqual({
      status: 200,
      body: {
        ok: true,
        pools: [
          { name: 'lab-legacy', state: 'synced', reason: null },
          { name: 'lab-modern', state: 'synced', reason: null },
        ],
        problems: [],
      },
    })
    // Every connection to both masters is cut: the event streams fail, the pools degrade.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    cleanups.push(() => warn.mockRestore())
    for (const p of bot.sim.pools) p.pool.faults.resetConnections = 1_000_000
    for (const p of bot.sim.pools) {
      const ref = p.pool.store.find('VM', () => true)[0] as string
      p.pool.store.update('VM', ref, { tags: ['wake-the-long-poll'] })
    }
    await waitFor(() => bot.app.health().ok === false, 10_000, 'both pools degraded')
    const down = await healthz(bot.url)
    expect(down.status).toBe(503)
    expect(down.body.ok).toBe(false)
    const pools = down.body.pools as { name: string; state: string; reason: string | null }[]
    expect(pools.map((p) => [p.name, p.state])).toEqual([
      ['lab-legacy', 'degraded'],
      ['lab-modern', 'degraded'],
    ])
    expect(pools.every((p) => typeof p.reason === 'string' && p.reason.length > 0)).toBe(true)
    expect(down.body.problems).toEqual([
      'no pool is synced',
      `pool lab-legacy is degraded: ${pools[0]?.reason}`,
      `pool lab-modern is degraded: ${pools[1]?.reason}`,
    ])
    const m = await scrape(bot.url)
    expect(m.get('xen_chatops_pool_state{pool="lab-legacy",state="degraded"}')).toBe(1)
    expect(m.get('xen_chatops_pool_state{pool="lab-legacy",state="synced"}')).toBe(0)

    for (const p of bot.sim.pools) p.pool.faults.resetConnections = 0
    await waitFor(() => bot.app.health().pools.every((p) => p.state === 'synced'), 10_000, 'both pools synced')
    expect((await healthz(bot.url)).status).toBe(200)
    expect((await scrape(bot.url)).get('xen_chatops_pool_state{pool="lab-modern",state="synced"}')).toBe(1)
  })
})

describe('graceful shutdown', () => {
  const holdAStop = async (bot: Running) => {
    bot.sim.pool('lab-legacy').pool.faults.hang('xscontainer.stop')
    const ask = await bot.say('alice', '/docker stop web-1 redis-cache')
    const pressed = bot.press('alice', tokenOf(ask, 'Confirm'))
    await waitFor(() => bot.app.jobs.running === 1, 5_000, 'the job running')
    // In an object: an async function returning the promise itself would wait for it.
    return { pressed }
  }

  it('a job held in a step past the bound: shutdown returns in bounded time and stores it interrupted', async () => {
    const bot = await startApp()
    const { pressed } = await holdAStop(bot)
    const stopIntake = vi.fn()
    const started = Date.now()
    const report = await shutdownApp(bot.app, { log: silentLog, graceMs: 300, stopTimeoutMs: 3_000, stopIntake })
    const elapsed = Date.now() - started
    expect(stopIntake).toHaveBeenCalledTimes(1)
    expect(elapsed).toBeGreaterThanOrEqual(290)
    expect(elapsed).toBeLessThan(300 + 3_000 + 500)
    expect(report.drained).toBe(false)
    expect(report.stopped).toBe(true)
    expect(report.interrupted.map((j) => [j.path, j.state])).toEqual([['docker stop', 'interrupted']])
    const id = report.interrupted[0]?.id as string
    // The HTTP server is closed.
    await expect(fetch(`${bot.url}/healthz`)).rejects.toThrow()
    // The held call ends (the session is gone); the job must not overwrite what the shutdown stored.
    bot.sim.pool('lab-legacy').pool.faults.release()
    await pressed
    const store = openStore({ dataDir: bot.dataDir })
    try {
      const job = await store.jobs.get(id)
      expect(job?.state).toBe('interrupted')
      expect(job?.steps.find((s) => s.state === 'running')).toBeDefined()
      const finished = (await allEntries(store.audit)).filter((e) => e.kind === 'job.finished')
      expect(finished.map((e) => e.data)).toEqual([{ jobId: id, state: 'interrupted', path: 'docker stop' }])
    } finally {
      await store.close()
    }
  })

  it('a job that finishes within the bound is waited for, and nothing is interrupted', async () => {
    const bot = await startApp()
    const { pressed } = await holdAStop(bot)
    setTimeout(() => bot.sim.pool('lab-legacy').pool.faults.release(), 200)
    const report = await shutdownApp(bot.app, { log: silentLog, graceMs: 5_000 })
    expect(report).toEqual({ drained: true, interrupted: [], stopped: true })
    const reply = await pressed
    expect(JSON.stringify(reply.blocks)).toContain('stop done')
  })
})
