/**
 * Issue #13, reliability: the bot stopped dead in the middle of a job and started again. Two ways:
 * in-process (the store is closed as when the process dies, and a new bot is built on the same data
 * directory, as governed-chat's restart() does), and for real (the built CLI is SIGKILLed while its
 * job waits in a plugin call the simulator holds, then started again). Either way the job ends
 * `interrupted` on its card, claiming no step it did not see finish; the audit chain verifies and
 * records the interruption; nothing runs twice (a re-pressed approval, a redelivered press); and what
 * was waiting — a pending approval — is still there and runs once.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { jobCard } from '../../src/core/jobs.js'
import { openStore } from '../../src/store/open-store.js'
import { buildOnce, killStarted, startCli, writeSimBotConfig } from '../cli/built-cli.js'
import { actions, actorOf, approvalIdOf, cardLog, startGovernedChat } from '../helpers/governed-chat.js'
import { startSim } from '../helpers/sim.js'
import { plain, tableOf } from '../helpers/test-chat.js'
import { waitFor } from '../helpers/xen.js'
import { expectTrail } from './job-trail.js'

const INTERRUPTED =
  'the bot restarted while this job ran; steps not marked done may or may not have happened — check before retrying'

describe('the bot restarted in the middle of a job', () => {
  it('in-process: the job ends interrupted, a re-pressed approval runs nothing, a pending approval still runs once', async () => {
    const chat = await startGovernedChat({ rules: { 'docker restart': {} } })
    const pool = chat.simPool('lab-legacy')
    const web1 = chat.dockerEvents('lab-legacy', 'web-1')
    const web2 = chat.dockerEvents('lab-legacy', 'web-2')
    pool.faults.hang('xscontainer.restart')
    // Two requests: the first is approved and its job is held inside the plugin call; the second waits.
    const first = approvalIdOf(await chat.say('alice', '/docker restart web-1 nginx-front'))
    const second = approvalIdOf(await chat.say('alice', '/docker restart web-2 nginx-front'))
    const card = cardLog()
    const pressed = chat.bot.dispatcher.press({
      actor: actorOf('bob'),
      token: `${first}:approve`,
      status: card.status,
      interactionId: 'press-1',
    })
    await waitFor(() => pool.pluginCalls.get('xscontainer.restart') === 1, 5000, 'the held restart')
    const [running] = await chat.bot.store.jobs.recent('shell:alice', 1)
    if (!running) throw new Error('no job')
    expect(running.steps.map((s) => s.state)).toEqual(['running', 'pending'])

    const bot = await chat.restart()
    // The card the new bot has for it: interrupted, the held step not claimed done.
    expect(bot.interrupted.map((j) => j.id)).toEqual([running.id])
    expect(jobCard(bot.interrupted[0] ?? running)).toEqual({
      title: `restart nginx-front (c81f0b54e8) in web-1 (job ${running.id})`,
      state: 'interrupted',
      steps: [
        { label: 'restart nginx-front in web-1', state: 'running' },
        { label: 'see the new state in the container list', state: 'pending' },
      ],
      detail: INTERRUPTED,
    })
    expect(tableOf(await chat.say('alice', '/xen jobs')).rows.map((r) => r.slice(0, 2))).toEqual([
      [running.id, 'interrupted'],
    ])
    // The old process is gone: what it held is let go (its late writes land in a closed store, as a dead
    // process's would land nowhere).
    pool.faults.release('xscontainer.restart')
    await pressed.catch(() => undefined)
    await waitFor(() => actions(web1, 'restart', 'nginx-front').length === 1, 5000, 'the held restart in the guest')

    // Nothing runs twice: the same press redelivered, and the Approve button pressed again.
    const redelivered = await chat.bot.dispatcher.press({
      actor: actorOf('bob'),
      token: `${first}:approve`,
      interactionId: 'press-1',
    })
    expect(plain(redelivered)).toBe('This was already handled.')
    expect(plain(await chat.press('bob', `${first}:approve`))).toContain('This request is already approved.')
    expect(pool.pluginCalls.get('xscontainer.restart')).toBe(1)

    // Nothing lost: the second request is still pending after the restart, and runs once when approved.
    expect(plain(await chat.say('alice', '/xen approvals'))).toContain(second)
    const done = await chat.press('carol', `${second}:approve`)
    expect(plain(done)).toContain('nginx-front in web-2: restart done')
    expect(actions(web2, 'restart', 'nginx-front')).toHaveLength(1)
    expect(actions(web1, 'restart', 'nginx-front')).toHaveLength(1)
    expect(pool.pluginCalls.get('xscontainer.restart')).toBe(2)
    await expectTrail(chat.bot.store.audit, running.id, [
      'started',
      'restart nginx-front in web-1: running',
      'finished: interrupted',
    ])
  })
})

describe('the bot killed (SIGKILL) in the middle of a job and started again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xen-chatops-killed-'))
  afterAll(() => {
    killStarted()
    rmSync(dir, { recursive: true, force: true })
  })

  it('prints the job as interrupted at start-up, lists it so, and its audit chain verifies', async () => {
    await buildOnce()
    const sim = await startSim({ scenario: 'demo' })
    const pool = sim.pool('lab-legacy').pool
    pool.faults.hang('xscontainer.start')
    const { config, dataDir } = writeSimBotConfig(dir, sim.pools)
    const env = { ...process.env, SIM_POOL_PASSWORD: 'xenroot' }
    const first = startCli(['--config', config], { env })
    // Ask until the bot has synced (it answers about web-1), rather than sleeping a fixed time.
    for (let attempt = 0; attempt < 40 && !first.stdout().includes('nightly-report'); attempt++) {
      first.child.stdin?.write('/docker ps web-1 --all\n')
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    first.child.stdin?.write('/docker start web-1 nightly-report\n')
    await first.waitFor(/start nightly-report .* \(running\)/, { ms: 15_000 })
    await waitFor(() => pool.pluginCalls.get('xscontainer.start') === 1, 5000, 'the held start')
    first.child.kill('SIGKILL')
    expect(await first.closed).toMatchObject({ signal: 'SIGKILL' })

    const second = startCli(['--config', config], { env })
    const card = await second.waitFor(/^! (start nightly-report \(\w+\) in web-1 \(job (\w+)\)) \(interrupted\)$/m)
    const jobId = card[2] ?? ''
    await second.waitFor(
      new RegExp(`  … start nightly-report in web-1\\n.*\\n  ${INTERRUPTED.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    )
    second.child.stdin?.write('/xen jobs\n')
    await second.waitFor(new RegExp(`${jobId}\\s+interrupted`))
    second.child.stdin?.end()
    await second.closed

    // The guest did nothing yet (the call is still held), and nothing was started twice.
    expect(pool.pluginCalls.get('xscontainer.start')).toBe(1)
    const store = openStore({ dataDir })
    try {
      expect((await store.jobs.get(jobId))?.state).toBe('interrupted')
      await expectTrail(store.audit, jobId, [
        'started',
        'start nightly-report in web-1: running',
        'finished: interrupted',
      ])
    } finally {
      await store.close()
    }
  }, 90_000)
})
