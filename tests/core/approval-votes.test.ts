/**
 * Issue #6, approvals through the real dispatcher: Governance, ApprovalService, JobRunner and the
 * SQLite store over the demo simulator and the real Xen layer. What ran is checked behind the bot's
 * back, on the simulated Docker engine's events, and in the job store.
 */
import { describe, expect, it } from 'vitest'
import type { Reply } from '../../src/core/reply.js'
import { actions, approvalIdOf, cardLog, type GovernedChat, startGovernedChat } from '../helpers/governed-chat.js'
import { plain } from '../helpers/test-chat.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The lines of an approval card while it is pending, as `plain` renders them. */
function pendingCard(id: string, summary: string, approvals: string): string[] {
  return [
    `alice asks to ${summary}`,
    'requested by: alice',
    `approvals: ${approvals}`,
    expect.stringMatching(/^expires: \d{4}-\d\d-\d\d \d\d:\d\d UTC$/),
    `request: ${id}`,
    `[Approve: ${id}:approve] [Deny: ${id}:deny] [Cancel: ${id}:cancel]`,
    'An approver other than the requester must approve; the requester may cancel.',
  ]
}

/** alice asks to restart nginx-front in web-1; returns the approval id, the summary and the event log. */
async function askRestart(chat: GovernedChat, container = 'nginx-front') {
  const events = chat.dockerEvents('lab-legacy', 'web-1')
  const key = chat.daemon('lab-legacy', 'web-1').inspect(container).Id.slice(0, 10)
  const summary = `restart ${container} (${key}) in web-1`
  const ask = await chat.say('alice', `/docker restart web-1 ${container}`)
  expect(ask.visibility).toBe('channel')
  const id = approvalIdOf(ask)
  expect(plain(ask).split('\n')).toEqual(pendingCard(id, summary, '0 of 1 (none yet)'))
  return { id, key, summary, events, restarts: () => actions(events, 'restart', container).length }
}

const ran = (reply: Reply, container = 'nginx-front') => plain(reply).includes(`${container} in web-1: restart done`)

describe('self-approval', () => {
  it('is refused: alice cannot approve her own request, it stays pending, and bob can still approve it', async () => {
    const chat = await startGovernedChat()
    const { id, key, summary, restarts } = await askRestart(chat)

    const self = await chat.press('alice', `${id}:approve`)
    expect(self.visibility).toBe('ephemeral')
    expect(plain(self)).toBe('you cannot approve your own request; another approver must')
    expect(await chat.bot.approvals.get(id)).toMatchObject({ state: 'pending', approvals: [] })
    await sleep(100)
    expect(restarts()).toBe(0)
    expect(await chat.bot.store.jobs.recent('shell:alice', 10)).toEqual([])
    // The refusal is audited, under alice's name.
    expect((await chat.audit()).filter((e) => e.kind === 'approval.vote')).toMatchObject([
      { userName: 'alice', data: { approvalId: id, vote: 'approve', outcome: 'refused', reason: 'approval.self' } },
    ])

    const bob = await chat.press('bob', `${id}:approve`)
    expect(bob.visibility).toBe('channel')
    expect(plain(bob).split('\n')).toEqual([
      `Approved: ${summary}`,
      'requested by: alice',
      'approvals: 1 of 1 (bob)',
      expect.stringMatching(/^expires: /),
      `request: ${id}`,
      'nginx-front in web-1: restart done',
      `backend xscontainer · container ${key} · pool lab-legacy · by alice`,
    ])
    expect(restarts()).toBe(1)
  })

  it('is allowed when the rule says selfApproval: true — to a requester who holds approve on the target', async () => {
    const chat = await startGovernedChat({ rules: { 'docker restart': { selfApproval: true } } })
    const events = chat.dockerEvents('lab-legacy', 'web-1')
    const ask = await chat.say('lee', '/docker restart web-1 redis-cache')
    const id = approvalIdOf(ask)
    const self = await chat.press('lee', `${id}:approve`)
    expect(self.visibility).toBe('channel')
    expect(plain(self)).toMatch(/\nredis-cache in web-1: restart done\n/)
    expect(await chat.bot.approvals.get(id)).toMatchObject({ state: 'approved', approvals: [{ actorName: 'lee' }] })
    expect(actions(events, 'restart', 'redis-cache')).toHaveLength(1)

    // selfApproval does not make approvers of operators: alice still needs the approve permission.
    const { id: other, restarts } = await askRestart(chat)
    expect(plain(await chat.press('alice', `${other}:approve`))).toBe(
      'you need the approve permission on web-1 to approve this request',
    )
    expect((await chat.bot.approvals.get(other))?.state).toBe('pending')
    expect(restarts()).toBe(0)
  })
})

describe('an approver without scope', () => {
  it('dave, an approver on lab-modern only, can neither approve nor deny a request on web-1 (lab-legacy)', async () => {
    const chat = await startGovernedChat()
    const { id, restarts } = await askRestart(chat)
    for (const vote of ['approve', 'deny'] as const) {
      const reply = await chat.press('dave', `${id}:${vote}`)
      expect(reply.visibility).toBe('ephemeral')
      expect(plain(reply)).toBe(`you need the approve permission on web-1 to ${vote} this request`)
    }
    expect(await chat.bot.approvals.get(id)).toMatchObject({ state: 'pending', approvals: [] })
    expect(
      (await chat.audit())
        .filter((e) => e.kind === 'approval.vote')
        .map((e) => [e.userName, e.data.vote, e.data.outcome, e.data.reason]),
    ).toEqual([
      ['dave', 'approve', 'refused', 'access.denied'],
      ['dave', 'deny', 'refused', 'access.denied'],
    ])
    await sleep(100)
    expect(restarts()).toBe(0)
    // An approver whose scope covers web-1 decides it.
    expect(ran(await chat.press('bob', `${id}:approve`))).toBe(true)
    expect(restarts()).toBe(1)
  })

  it('eve, with no role, is refused too; approverRoles limits approval to the roles it names', async () => {
    const chat = await startGovernedChat({ rules: { 'docker restart': { approverRoles: ['release-manager'] } } })
    const { id, restarts } = await askRestart(chat)
    expect(plain(await chat.press('eve', `${id}:approve`))).toBe(
      'you need the approve permission on web-1 through one of the roles release-manager to approve this request',
    )
    // bob holds approve, but not through a role the rule names: the sentence says which roles count.
    expect(plain(await chat.press('bob', `${id}:approve`))).toBe(
      'you need the approve permission on web-1 through one of the roles release-manager to approve this request',
    )
    expect((await chat.bot.approvals.get(id))?.state).toBe('pending')
    await sleep(100)
    expect(restarts()).toBe(0)
  })
})

describe('a double click', () => {
  it('bob presses Approve twice in a row: the container is restarted once, one job exists', async () => {
    const chat = await startGovernedChat()
    const { id, summary, restarts } = await askRestart(chat)
    const first = await chat.press('bob', `${id}:approve`)
    expect(ran(first)).toBe(true)
    const second = await chat.press('bob', `${id}:approve`)
    expect(second.visibility).toBe('ephemeral')
    expect(plain(second).split('\n')).toEqual([
      `Approved: ${summary}`,
      'requested by: alice',
      'approvals: 1 of 1 (bob)',
      expect.stringMatching(/^expires: /),
      `request: ${id}`,
      'This request is already approved.',
    ])
    await sleep(200)
    expect(restarts()).toBe(1)
    const jobs = await chat.bot.store.jobs.recent('shell:alice', 10)
    expect(jobs).toMatchObject([
      { state: 'succeeded', approvalId: id, summary, result: 'nginx-front in web-1: restart done' },
    ])
    expect((await chat.bot.approvals.get(id))?.jobId).toBe(jobs[0]?.id)
  })

  it('bob presses Approve three times at once: exactly one press runs it, the others are told it is approved', async () => {
    const chat = await startGovernedChat()
    const { id, restarts } = await askRestart(chat)
    const replies = await Promise.all([1, 2, 3].map(() => chat.press('bob', `${id}:approve`)))
    expect(replies.filter((r) => ran(r))).toHaveLength(1)
    const others = replies.filter((r) => !ran(r))
    expect(others).toHaveLength(2)
    for (const other of others) {
      expect(other.visibility).toBe('ephemeral')
      expect(plain(other).split('\n').at(-1)).toBe('This request is already approved.')
    }
    await sleep(200)
    expect(restarts()).toBe(1)
    expect(await chat.bot.store.jobs.recent('shell:alice', 10)).toHaveLength(1)
    expect((await chat.audit()).filter((e) => e.kind === 'job.started')).toHaveLength(1)
  })
})

describe('approve and deny raced in parallel', () => {
  it('end in exactly one outcome; the action runs if and only if it is approved; the loser is told', async () => {
    const chat = await startGovernedChat()
    const outcomes: string[] = []
    for (let round = 0; round < 4; round++) {
      const { id, restarts } = await askRestart(chat)
      const approve = () => chat.press('bob', `${id}:approve`)
      const deny = () => chat.press('carol', `${id}:deny`)
      // Who starts first alternates, so both outcomes are seen.
      const [bob, carol] =
        round % 2 === 0 ? await Promise.all([approve(), deny()]) : (await Promise.all([deny(), approve()])).reverse()
      if (!bob || !carol) throw new Error('missing reply')
      const state = (await chat.bot.approvals.get(id))?.state
      outcomes.push(state ?? 'none')
      await sleep(100)
      if (state === 'approved') {
        expect(ran(bob), plain(bob)).toBe(true)
        expect(carol.visibility).toBe('ephemeral')
        expect(plain(carol).split('\n').at(-1)).toBe('This request is already approved.')
        expect(restarts()).toBe(1)
        expect((await chat.bot.approvals.get(id))?.jobId).toMatch(/^[0-9a-f]{8}$/)
      } else {
        expect(state).toBe('denied')
        expect(carol.visibility).toBe('channel')
        expect(plain(carol).split('\n')[0]).toMatch(/^Denied \((shell:)?carol\): restart nginx-front \(/)
        expect(bob.visibility).toBe('ephemeral')
        expect(plain(bob).split('\n').at(-1)).toBe('This request is already denied.')
        expect(restarts()).toBe(0)
        expect((await chat.bot.approvals.get(id))?.jobId).toBeUndefined()
      }
      const decided = (await chat.audit()).filter((e) => e.kind === 'approval.outcome' && e.data.approvalId === id)
      expect(decided.map((e) => e.data.state)).toEqual([state])
    }
    expect(new Set(outcomes)).toEqual(new Set(['approved', 'denied']))
    const approved = outcomes.filter((o) => o === 'approved').length
    expect(await chat.bot.store.jobs.recent('shell:alice', 10)).toHaveLength(approved)
  })
})

describe('a quorum of two', () => {
  it('bob alone does not run it (nor does bob twice); bob and carol run it once', async () => {
    const chat = await startGovernedChat({ rules: { 'docker restart': { quorum: 2 } } })
    const events = chat.dockerEvents('lab-legacy', 'web-1')
    const card = cardLog()
    const ask = await chat.say('alice', '/docker restart web-1 nginx-front', card.status)
    const id = approvalIdOf(ask)
    const summary = plain(ask).split('\n')[0]?.replace('alice asks to ', '') ?? ''
    expect(plain(ask)).toContain('approvals: 0 of 2 (none yet)')

    const bob = await chat.press('bob', `${id}:approve`)
    expect(bob.visibility).toBe('channel')
    expect(plain(bob).split('\n')).toEqual(pendingCard(id, summary, '1 of 2 (bob)'))
    expect(plain(await chat.press('bob', `${id}:approve`))).toBe(
      'You already approved this request; it needs another approver.',
    )
    await sleep(100)
    expect(actions(events, 'restart', 'nginx-front')).toEqual([])
    expect(await chat.bot.approvals.get(id)).toMatchObject({ state: 'pending', approvals: [{ actorName: 'bob' }] })

    const carol = await chat.press('carol', `${id}:approve`)
    expect(ran(carol)).toBe(true)
    expect(plain(carol)).toContain('approvals: 2 of 2 (bob, carol)')
    expect(
      plain(await chat.press('bob', `${id}:approve`))
        .split('\n')
        .at(-1),
    ).toBe('This request is already approved.')
    await sleep(100)
    expect(actions(events, 'restart', 'nginx-front')).toHaveLength(1)
    expect(await chat.bot.store.jobs.recent('shell:alice', 10)).toHaveLength(1)
    // alice's card followed the votes: 1 of 2, then approved.
    expect(card.cards).toEqual([
      {
        title: `Approval ${id}: ${summary}`,
        state: 'running',
        steps: [{ label: 'approvals 1 of 2', state: 'pending' }],
        detail: undefined,
      },
      {
        title: `Approval ${id}: ${summary}`,
        state: 'succeeded',
        steps: [{ label: 'approvals 2 of 2', state: 'done' }],
        detail: 'approved',
      },
    ])
  })
})

describe('cancel and deny', () => {
  it('the requester cancels: nothing runs, and the buttons are dead', async () => {
    const chat = await startGovernedChat()
    const { id, summary, restarts } = await askRestart(chat)
    const cancelled = await chat.press('alice', `${id}:cancel`)
    expect(cancelled.visibility).toBe('channel')
    expect(plain(cancelled).split('\n')[0]).toMatch(
      new RegExp(`^Cancelled by the requester( \\((shell:)?alice\\))?: ${summary.replace(/[()]/g, '\\$&')}$`),
    )
    expect(plain(cancelled)).not.toContain('[Approve')
    expect(await chat.bot.approvals.get(id)).toMatchObject({ state: 'cancelled' })
    const late = await chat.press('bob', `${id}:approve`)
    expect(late.visibility).toBe('ephemeral')
    expect(plain(late).split('\n').at(-1)).toBe('This request is already cancelled.')
    await sleep(100)
    expect(restarts()).toBe(0)
    expect(await chat.bot.store.jobs.recent('shell:alice', 10)).toEqual([])
  })

  it('someone else cannot cancel it; a deny closes it and nothing runs', async () => {
    const chat = await startGovernedChat()
    const { id, restarts } = await askRestart(chat)
    for (const user of ['bob', 'carol'] as const) {
      const reply = await chat.press(user, `${id}:cancel`)
      expect(reply.visibility).toBe('ephemeral')
      expect(plain(reply)).toBe('only alice can cancel this request')
    }
    expect((await chat.bot.approvals.get(id))?.state).toBe('pending')

    const denied = await chat.press('carol', `${id}:deny`)
    expect(denied.visibility).toBe('channel')
    expect(plain(denied).split('\n')[0]).toMatch(/^Denied \((shell:)?carol\): restart nginx-front \(/)
    expect(await chat.bot.approvals.get(id)).toMatchObject({ state: 'denied', approvals: [] })
    for (const [user, vote] of [
      ['bob', 'approve'],
      ['alice', 'cancel'],
    ] as const) {
      expect(
        plain(await chat.press(user, `${id}:${vote}`))
          .split('\n')
          .at(-1),
      ).toBe('This request is already denied.')
    }
    await sleep(100)
    expect(restarts()).toBe(0)
    expect((await chat.audit()).filter((e) => e.kind === 'approval.outcome')).toMatchObject([
      { data: { approvalId: id, state: 'denied', by: 'carol' } },
    ])
  })

  it('an unknown request id is said plainly', async () => {
    const chat = await startGovernedChat()
    expect(plain(await chat.press('bob', 'zzzzzz:approve'))).toBe('there is no request zzzzzz')
  })
})

describe('the job an approval starts', () => {
  it('shows one card that walks through its steps, to the one who approved, before the reply (interval 0: every edit)', async () => {
    const chat = await startGovernedChat({ editIntervalMs: 0 })
    const { id, summary } = await askRestart(chat)
    const card = cardLog()
    expect(ran(await chat.press('bob', `${id}:approve`, card.status))).toBe(true)
    const job = (await chat.bot.store.jobs.recent('shell:alice', 1))[0]
    expect(job?.approvalId).toBe(id)
    const steps = (a: string, b: string) => [
      { label: 'restart nginx-front in web-1', state: a },
      { label: 'see the new state in the container list', state: b },
    ]
    expect(card.cards).toEqual([
      { title: `${summary} (job ${job?.id})`, state: 'running', steps: steps('pending', 'pending') },
      { title: `${summary} (job ${job?.id})`, state: 'running', steps: steps('running', 'pending') },
      { title: `${summary} (job ${job?.id})`, state: 'running', steps: steps('done', 'pending') },
      { title: `${summary} (job ${job?.id})`, state: 'running', steps: steps('done', 'running') },
      { title: `${summary} (job ${job?.id})`, state: 'running', steps: steps('done', 'done') },
      {
        title: `${summary} (job ${job?.id})`,
        state: 'succeeded',
        steps: steps('done', 'done'),
        detail: 'nginx-front in web-1: restart done',
      },
    ])
  })
})
