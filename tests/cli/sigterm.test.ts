/**
 * Issue #12: SIGTERM during a job ends the real process within its bound, with the job marked
 * truthfully. The built CLI runs the bot against the simulator (`--config`), a `/docker start` is held
 * inside its plugin call by a simulator fault, and the process gets SIGTERM while the job waits.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/open-store.js'
import { startSim } from '../helpers/sim.js'
import { buildOnce, killStarted, startCli, writeSimBotConfig } from './built-cli.js'

const dir = mkdtempSync(join(tmpdir(), 'xen-chatops-sigterm-'))

beforeAll(async () => {
  await buildOnce()
}, 120_000)

afterAll(() => {
  killStarted()
  rmSync(dir, { recursive: true, force: true })
})

describe('SIGTERM during a job', () => {
  it('stops within the grace bound plus the exit backstop, and the held job is stored as interrupted', async () => {
    const sim = await startSim({ scenario: 'demo' })
    const legacy = sim.pool('lab-legacy')
    legacy.pool.faults.hang('xscontainer.start')
    const { config, dataDir } = writeSimBotConfig(dir, sim.pools)
    const cli = startCli(['--config', config], { env: { ...process.env, SIM_POOL_PASSWORD: 'xenroot' } })
    // Wait until the bot has synced (it answers about web-1), then start a job whose plugin call the
    // simulator holds. Asking again, rather than sleeping a fixed time, keeps this right on a busy machine.
    for (let attempt = 0; attempt < 40 && !cli.stdout().includes('nightly-report'); attempt++) {
      cli.child.stdin?.write('/docker ps web-1 --all\n')
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    cli.child.stdin?.write('/docker start web-1 nightly-report\n')
    await cli.waitFor(/start nightly-report .* \(running\)/, { ms: 15_000 })

    const signalled = Date.now()
    cli.child.kill('SIGTERM')
    const exit = await cli.closed
    const took = Date.now() - signalled
    expect(exit.code).toBe(0)
    // The bound (src/main.ts, src/ops/shutdown.ts): 10 s for running steps to finish, at most 5 s to
    // close XAPI sessions and the store, then at most 2 s until the process is gone.
    expect(took).toBeGreaterThanOrEqual(9_000)
    expect(took).toBeLessThan(17_500)
    // The card the process printed last, and the stored job, both say interrupted.
    expect(cli.stdout()).toMatch(/start nightly-report \(\w+\) in web-1 \(job \w+\) \(interrupted\)/)
    const store = openStore({ dataDir })
    try {
      const [job] = await store.jobs.recent('shell:alice', 10)
      expect(job?.state).toBe('interrupted')
      expect(job?.steps.map((s) => s.state)).toEqual(['running', 'pending'])
      expect(await store.audit.verify()).toMatchObject({ ok: true })
    } finally {
      await store.close()
    }
  }, 60_000)
})
