/**
 * Issue #13, reliability: XAPI faults in the middle of a job. Each fault is injected by the simulator
 * while a real job runs (the real dispatcher, governance, job runner and SQLite store over the real
 * xen-api client), and each must end the same way: a card that says what really happened, an audit
 * chain that verifies with the job's entries, no action done twice (counted in the simulated guest's
 * Docker engine and in the plugin calls the pool received), and nothing lost (the inventory still
 * matches the pools, the container shows its real state).
 */
import { describe, expect, it, vi } from 'vitest'
import type { StatusCard } from '../../src/core/reply.js'
import { allEntries } from '../helpers/audit-entries.js'
import { filledIn, records, startCoreosChat } from '../helpers/coreos-chat.js'
import { actions, approvalIdOf, type GovernedChat, startGovernedChat } from '../helpers/governed-chat.js'
import { plain, tokenOf } from '../helpers/test-chat.js'
import { callsSince, FAST_TUNING, waitFor } from '../helpers/xen.js'
import { expectContainerAsInGuest, expectInventoryWhole, expectTrail, jobIdOf } from './job-trail.js'

const ACT = 'restart nginx-front in web-1'
const SEEN = 'see the new state in the container list'

/**
 * The cards of a job as its chat would show them, and a hook run when a step is shown running: the
 * fault is injected from there, so it meets the job mid-way. The card is seen before the step's first
 * XAPI request can reach the in-process simulator (that needs a turn of the event loop).
 */
function watchJob(onRunning: Record<string, () => void> = {}) {
  const cards: StatusCard[] = []
  const status = async (card: StatusCard) => {
    cards.push(card)
    for (const step of card.steps) {
      const hook = onRunning[step.label]
      if (step.state === 'running' && hook) {
        delete onRunning[step.label]
        hook()
      }
    }
  }
  return { cards, status, last: () => cards.at(-1) }
}

/** `/docker restart web-1 nginx-front`, confirmed: resolves with the reply to the Confirm press. */
async function restartConfirmed(chat: GovernedChat, status: (card: StatusCard) => Promise<void>) {
  const ask = await chat.say('alice', '/docker restart web-1 nginx-front')
  return chat.press('alice', tokenOf(ask, 'Confirm'), status)
}

/** What every fault must leave behind: an inventory that matches the pools, `container` as web-1 has it. */
function expectPoolsWhole(chat: GovernedChat, container: string) {
  expectInventoryWhole(chat.xen.inventory, chat.sim)
  expectContainerAsInGuest(
    chat.xen.inventory,
    { pool: 'lab-legacy', name: 'web-1' },
    container,
    chat.daemon('lab-legacy', 'web-1'),
  )
}

/** The audit trail of a job whose action step and whose look at the new state both finished. */
const succeededTrail = (action: string) => [
  'started',
  `${action}: running`,
  `${action}: done`,
  `${SEEN}: running`,
  `${SEEN}: done`,
  'finished: succeeded',
]

/** Over a chat whose job cards are sent as they change (no coalescing), so every state is seen. */
async function legacyChat(options: Parameters<typeof startGovernedChat>[0] = {}) {
  const chat = await startGovernedChat({ rules: {}, editIntervalMs: 0, ...options })
  const pool = chat.simPool('lab-legacy')
  return { chat, pool, restarts: chat.dockerEvents('lab-legacy', 'web-1') }
}

describe('XAPI faults in the middle of a job', () => {
  it('the connection drops after the plugin call went out: the card says the restart may have happened, and it is not repeated', async () => {
    const { chat, pool, restarts } = await legacyChat()
    // The pool runs the restart, then the connection goes without an answer.
    pool.faults.dropAnswers('host.call_plugin')
    const job = watchJob()
    const reply = await restartConfirmed(chat, job.status)

    const unknown =
      'the connection to pool lab-legacy dropped before it answered; the restart of nginx-front may have happened: check /docker ps web-1 before trying again'
    expect(plain(reply)).toBe(unknown)
    expect(job.last()).toEqual({
      title: expect.stringMatching(/^restart nginx-front \(c81f0b54e8\) in web-1 \(job [0-9a-f]{8}\)$/),
      state: 'failed',
      steps: [
        { label: ACT, state: 'failed', detail: unknown },
        { label: SEEN, state: 'skipped' },
      ],
      detail: unknown,
    })
    // It did happen, once: xen-api does not resend a call that changes things.
    expect(actions(restarts, 'restart', 'nginx-front')).toHaveLength(1)
    expect(pool.pluginCalls.get('xscontainer.restart')).toBe(1)
    await expectTrail(chat.bot.store.audit, jobIdOf(job.last()), [
      'started',
      `${ACT}: running`,
      `${ACT}: failed`,
      'finished: failed',
    ])
    // The pool connection carries on: the next answers are right, and the inventory is whole.
    await waitFor(() => chat.xen.inventory.pools().every((p) => p.state === 'synced'), 5000, 'both pools synced')
    expect(plain(await chat.say('alice', '/docker ps web-1'))).toMatch(/nginx-front .* Up/)
    expectPoolsWhole(chat, 'nginx-front')
  })

  it('SESSION_INVALID as the step starts: one new login, the restart runs once, the card says done', async () => {
    const { chat, pool, restarts } = await legacyChat()
    const counts = new Map(pool.callCounts)
    // xen-api reports the event loop's brush with its own re-login window on the console: expected here.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const job = watchJob({ [ACT]: () => pool.sessions.dropAll() })
    const reply = await restartConfirmed(chat, job.status).finally(() => warn.mockRestore())

    expect(plain(reply)).toContain('nginx-front in web-1: restart done')
    expect(job.last()).toMatchObject({
      state: 'succeeded',
      steps: [
        { label: ACT, state: 'done' },
        { label: SEEN, state: 'done' },
      ],
      detail: 'nginx-front in web-1: restart done',
    })
    // The plugin call met SESSION_INVALID (so it had not run), then ran after the new login, once.
    const since = callsSince(pool, counts)
    expect(pool.sessionInvalidCounts.get('host.call_plugin')).toBe(1)
    expect(since['session.login_with_password']).toBeGreaterThanOrEqual(1)
    expect(since['host.call_plugin']).toBe(1)
    expect(actions(restarts, 'restart', 'nginx-front')).toHaveLength(1)
    await expectTrail(chat.bot.store.audit, jobIdOf(job.last()), succeededTrail(ACT))
    expectPoolsWhole(chat, 'nginx-front')
  })

  it('EVENTS_LOST while the job waits to see the new state: a refetch, and the job still sees it', async () => {
    const { chat, pool } = await legacyChat()
    const stops = chat.dockerEvents('lab-legacy', 'web-1')
    const counts = new Map(pool.callCounts)
    const job = watchJob({ 'stop redis-cache in web-1': () => (pool.faults.eventsLost = true) })
    const ask = await chat.say('alice', '/docker stop web-1 redis-cache')
    const reply = await chat.press('alice', tokenOf(ask, 'Confirm'), job.status)

    expect(plain(reply)).toContain('redis-cache in web-1: stop done')
    // Not "the container list has not caught up yet": the state arrived, through the stream or the refetch.
    expect(plain(reply)).not.toContain('not caught up')
    expect(job.last()).toMatchObject({ state: 'succeeded', detail: 'redis-cache in web-1: stop done' })
    await waitFor(
      () => !pool.faults.eventsLost && callsSince(pool, counts)['VM.get_all_records'] === 1,
      5000,
      'the refetch',
    )
    expect(actions(stops, 'stop', 'redis-cache')).toHaveLength(1)
    expect(pool.pluginCalls.get('xscontainer.stop')).toBe(1)
    await expectTrail(chat.bot.store.audit, jobIdOf(job.last()), succeededTrail('stop redis-cache in web-1'))
    expectPoolsWhole(chat, 'redis-cache')
  })

  it('a plugin call that hangs past its timeout: the card says the restart may still happen; it is not retried', async () => {
    const { chat, pool, restarts } = await legacyChat({ tuning: { ...FAST_TUNING, callTimeout: 400 } })
    pool.faults.hang('xscontainer.restart')
    const job = watchJob()
    const reply = await restartConfirmed(chat, job.status)

    const late =
      'pool lab-legacy did not answer in time; it may be overloaded or unreachable; the restart of nginx-front may still happen: check /docker ps web-1 before trying again'
    expect(plain(reply)).toBe(late)
    expect(job.last()).toMatchObject({
      state: 'failed',
      steps: [
        { label: ACT, state: 'failed', detail: late },
        { label: SEEN, state: 'skipped' },
      ],
      detail: late,
    })
    // Nothing happened yet; once the pool gets to it, it happens once — the bot sent it once.
    expect(actions(restarts, 'restart', 'nginx-front')).toHaveLength(0)
    pool.faults.release('xscontainer.restart')
    await waitFor(() => actions(restarts, 'restart', 'nginx-front').length === 1, 5000, 'the held restart')
    expect(pool.pluginCalls.get('xscontainer.restart')).toBe(1)
    await expectTrail(chat.bot.store.audit, jobIdOf(job.last()), [
      'started',
      `${ACT}: running`,
      `${ACT}: failed`,
      'finished: failed',
    ])
    expectInventoryWhole(chat.xen.inventory, chat.sim)
    await waitFor(() => {
      const vm = chat.xen.inventory.vms({ pool: 'lab-legacy' }).find((v) => v.name === 'web-1')
      return vm?.docker.containers?.find((c) => c.name === 'nginx-front')?.state === 'running'
    })
  })

  it('a task that fails (VM.start_on): the card names the step and the cause, and what was left is said, once', async () => {
    const chat = await startCoreosChat()
    const pool = chat.simPool('lab-legacy')
    const before = records(pool)
    pool.faults.failNextTask('VM.start_on', ['HOST_NOT_ENOUGH_FREE_MEMORY', '2147483648', '1073741824'])
    const opened = await chat.say('alice', '/coreos create --pool lab-legacy')
    if (!opened.form) throw new Error(`no form: ${plain(opened)}`)
    const submitted = await chat.submit(
      'alice',
      opened.form.token,
      filledIn(opened.form, { name: 'web-3', sshKey: chat.key.public }),
    )
    if (submitted.kind !== 'reply') throw new Error(`the form was refused: ${JSON.stringify(submitted)}`)
    const job = watchJob()
    const reply = await chat.press('bob', `${approvalIdOf(submitted.reply)}:approve`, job.status)

    const card = job.last()
    expect(card?.state).toBe('failed')
    const cause = 'the pool refused it: HOST_NOT_ENOUGH_FREE_MEMORY(2147483648, 1073741824)'
    expect(card?.steps.find((s) => s.state === 'failed')).toEqual({
      label: 'start the VM',
      state: 'failed',
      detail: cause,
    })
    // Steps before it are done, the ones after it were never started.
    const states = card?.steps.map((s) => s.state) ?? []
    expect(states.slice(0, states.indexOf('failed')).every((s) => s === 'done')).toBe(true)
    expect(states.slice(states.indexOf('failed') + 1).every((s) => s === 'skipped')).toBe(true)
    expect(card?.detail).toMatch(/^start the VM failed: .*Left behind in lab-legacy: VM web-3 \([0-9a-f-]{36}\)/)
    expect(plain(reply)).toContain('Clean up')
    // One VM built, one start tried: the failed task was not retried.
    expect(records(pool).VM).toHaveLength(before.VM.length + 1)
    expect(pool.callCounts.get('VM.start_on')).toBe(1)
    const trail = (await allEntries(chat.bot.store.audit)).filter((e) => e.data.jobId === jobIdOf(card))
    expect(await chat.bot.store.audit.verify()).toMatchObject({ ok: true })
    expect(trail.map((e) => e.kind)).toEqual([
      'job.started',
      ...trail.slice(1, -1).map(() => 'job.step'),
      'job.finished',
    ])
    expect(trail.at(-2)?.data).toMatchObject({ step: 'start the VM', state: 'failed' })
    expect(trail.at(-1)?.data).toMatchObject({ state: 'failed' })
    expectInventoryWhole(chat.xen.inventory, chat.sim)
  })
})
