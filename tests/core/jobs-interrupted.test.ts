/**
 * Issue #6: a job cut short by a restart of the bot ends in a truthful `interrupted` state — on its
 * card, in `/xen jobs`, in the audit log — claiming only the steps known to have finished.
 */
import { describe, expect, it, vi } from 'vitest'
import { renderStatusCard } from '../../adapters/shell/render-text.js'
import { createApp } from '../../src/app.js'
import { validateConfig } from '../../src/config.js'
import { jobCard } from '../../src/core/jobs.js'
import { silentLog } from '../../src/log.js'
import { actorOf, cardLog, GOVERNED_ACCESS, type GovernedChat, startGovernedChat } from '../helpers/governed-chat.js'
import { plain, tableOf } from '../helpers/test-chat.js'

const INTERRUPTED =
  'the bot restarted while this job ran; steps not marked done may or may not have happened — check before retrying'

/** Starts a job whose first step finishes and whose second never does (the process then "dies"). */
async function startStuckJob(chat: GovernedChat, id: string) {
  const card = cardLog()
  void chat.bot.jobs.run({
    id,
    path: 'docker restart',
    summary: 'restart nginx-front (c81f0b54e8) in web-1',
    actor: actorOf('alice'),
    requestId: 'req-stuck',
    steps: ['restart nginx-front in web-1', 'see the new state in the container list'],
    status: card.status,
    work: async (job) => {
      await job.step('restart nginx-front in web-1', async () => undefined)
      await job.step('see the new state in the container list', () => new Promise<never>(() => undefined))
      return 'never'
    },
  })
  await vi.waitFor(async () =>
    expect((await chat.bot.store.jobs.get(id))?.steps.map((s) => s.state)).toEqual(['done', 'running']),
  )
  return card
}

describe('a job interrupted by a restart', () => {
  it('is marked interrupted at start-up; its card says what is known and nothing more', async () => {
    const chat = await startGovernedChat()
    const live = await startStuckJob(chat, 'cafe0001')
    expect(live.cards[0]).toMatchObject({ state: 'running' })
    expect((await chat.bot.store.jobs.get('cafe0001'))?.state).toBe('running')

    const bot = await chat.restart()
    expect(bot.interrupted.map((j) => [j.id, j.state])).toEqual([['cafe0001', 'interrupted']])
    const job = bot.interrupted[0]
    if (!job) throw new Error('no interrupted job')
    expect(jobCard(job)).toEqual({
      title: 'restart nginx-front (c81f0b54e8) in web-1 (job cafe0001)',
      state: 'interrupted',
      // The first step finished before the restart; the second was running: it is not claimed done.
      steps: [
        { label: 'restart nginx-front in web-1', state: 'done' },
        { label: 'see the new state in the container list', state: 'running' },
      ],
      detail: INTERRUPTED,
    })
    // As the terminal chat prints it at start-up.
    expect(renderStatusCard(jobCard(job))).toEqual([
      '! restart nginx-front (c81f0b54e8) in web-1 (job cafe0001) (interrupted)',
      '  ✓ restart nginx-front in web-1',
      '  … see the new state in the container list',
      `  ${INTERRUPTED}`,
    ])
    expect(await bot.store.jobs.get('cafe0001')).toMatchObject({
      state: 'interrupted',
      result: undefined,
      error: undefined,
    })

    // /xen jobs tells alice the same.
    const jobs = await chat.say('alice', '/xen jobs')
    expect(tableOf(jobs).rows).toEqual([
      ['cafe0001', 'interrupted', 'restart nginx-front (c81f0b54e8) in web-1', expect.stringMatching(/ UTC$/), ''],
    ])
    expect(plain(jobs)).toContain(
      'Jobs marked interrupted were cut short by a restart of the bot; check their effect before retrying.',
    )
    // The audit log records the interruption after the steps that were seen.
    expect(
      (await chat.audit())
        .filter((e) => e.data.jobId === 'cafe0001')
        .map((e) => [e.kind, e.data.step ?? e.data.state, e.kind === 'job.step' ? e.data.state : undefined]),
    ).toEqual([
      ['job.started', undefined, undefined],
      ['job.step', 'restart nginx-front in web-1', 'running'],
      ['job.step', 'restart nginx-front in web-1', 'done'],
      ['job.step', 'see the new state in the container list', 'running'],
      ['job.finished', 'interrupted', undefined],
    ])

    // Only once: a second restart finds nothing left running.
    expect((await chat.restart()).interrupted).toEqual([])
    expect((await chat.bot.store.jobs.get('cafe0001'))?.state).toBe('interrupted')
  })

  it('createApp reports it as app.interrupted when the bot starts on the same data directory', async () => {
    const chat = await startGovernedChat()
    await startStuckJob(chat, 'cafe0002')
    await chat.bot.store.close()
    const config = validateConfig(
      {
        pools: chat.sim.pools.map((p) => ({ name: p.name, url: p.url, username: p.username, password: { env: 'PW' } })),
        access: GOVERNED_ACCESS,
        approvals: { actions: { 'docker restart': {} } },
      },
      'test config',
    )
    const app = await createApp({ config, log: silentLog, env: { PW: 'xenroot' }, dataDir: chat.dataDir })
    try {
      expect(app.interrupted.map((j) => [j.id, j.state, j.steps.map((s) => s.state)])).toEqual([
        ['cafe0002', 'interrupted', ['done', 'running']],
      ])
      expect(jobCard(app.interrupted[0] ?? ({} as never))).toMatchObject({ state: 'interrupted', detail: INTERRUPTED })
      await Promise.all(app.xen.connections.map((c) => c.synced(5000)))
      const reply = await app.dispatcher.handle({ actor: actorOf('alice'), text: '/xen jobs' })
      expect(tableOf(reply).rows.map((r) => r.slice(0, 2))).toEqual([['cafe0002', 'interrupted']])
    } finally {
      await app.stop()
    }
  })
})
