/**
 * Issue #6, an approval over time: it expires (refused, and its card says so), it binds the exact
 * plan (a recreated container needs a new approval), and it survives a restart of the bot (still
 * approvable, and it runs once).
 */
import { describe, expect, it, vi } from 'vitest'
import { actions, approvalIdOf, cardLog, startGovernedChat } from '../helpers/governed-chat.js'
import { plain, tableOf } from '../helpers/test-chat.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('an expired approval', () => {
  it('is refused when pressed after its time, nothing runs, and the card the request showed is updated', async () => {
    const chat = await startGovernedChat({ rules: { 'docker restart': { ttlMinutes: 1 } } })
    const events = chat.dockerEvents('lab-legacy', 'web-1')
    const card = cardLog()
    const asked = chat.now()
    const ask = await chat.say('alice', '/docker restart web-1 nginx-front', card.status)
    const id = approvalIdOf(ask)
    const summary = plain(ask).split('\n')[0]?.replace('alice asks to ', '') ?? ''
    const record = await chat.bot.approvals.get(id)
    expect(record?.expiresAt).toBeGreaterThanOrEqual(asked + 60_000)
    expect(record?.expiresAt).toBeLessThanOrEqual(chat.now() + 60_000)
    // Still pending a moment before the minute is up: bob sees it in /xen approvals.
    chat.advance(59_000)
    expect(plain(await chat.say('bob', '/xen approvals'))).toContain(`alice asks to ${summary} (request ${id}`)

    chat.advance(1_001)
    const late = await chat.press('bob', `${id}:approve`)
    expect(late.visibility).toBe('ephemeral')
    expect(plain(late).split('\n')).toEqual([
      `Expired: nobody approved in time: ${summary}`,
      'requested by: alice',
      'approvals: 0 of 1 (none yet)',
      expect.stringMatching(/^expires: /),
      `request: ${id}`,
      'This request is already expired.',
    ])
    expect(await chat.bot.approvals.get(id)).toMatchObject({ state: 'expired', approvals: [] })
    // The card alice's request showed now says it expired (the adapter edits that message in place).
    await vi.waitFor(() =>
      expect(card.cards).toEqual([
        {
          title: `Approval ${id}: ${summary}`,
          state: 'cancelled',
          steps: [{ label: 'approvals 0 of 1', state: 'pending' }],
          detail: 'expired',
        },
      ]),
    )
    await sleep(100)
    expect(actions(events, 'restart', 'nginx-front')).toEqual([])
    expect(await chat.bot.store.jobs.recent('shell:alice', 10)).toEqual([])
    expect(plain(await chat.say('bob', '/xen approvals'))).toBe('Nothing is waiting for an approval.')
    expect((await chat.audit()).filter((e) => e.kind === 'approval.outcome')).toMatchObject([
      { data: { approvalId: id, state: 'expired' } },
    ])
    // Pressing again changes nothing and the card is not updated twice.
    expect(
      plain(await chat.press('carol', `${id}:approve`))
        .split('\n')
        .at(-1),
    ).toBe('This request is already expired.')
    expect(card.cards).toHaveLength(1)
  })

  it('expires on real time too (ttlMinutes 0.001 is 60 ms)', async () => {
    const chat = await startGovernedChat({ rules: { 'docker restart': { ttlMinutes: 0.001 } } })
    const events = chat.dockerEvents('lab-legacy', 'web-1')
    const id = approvalIdOf(await chat.say('alice', '/docker restart web-1 redis-cache'))
    await sleep(120)
    expect(
      plain(await chat.press('bob', `${id}:approve`))
        .split('\n')
        .at(-1),
    ).toBe('This request is already expired.')
    expect(actions(events, 'restart', 'redis-cache')).toEqual([])
  })
})

describe('a changed plan', () => {
  it('needs a new approval: redis-cache recreated (new id) after the request, the approval does not run', async () => {
    const chat = await startGovernedChat()
    const daemon = chat.daemon('lab-legacy', 'web-1')
    const events = chat.dockerEvents('lab-legacy', 'web-1')
    const oldKey = daemon.inspect('redis-cache').Id.slice(0, 10)
    const ask = await chat.say('alice', '/docker restart web-1 redis-cache')
    const id = approvalIdOf(ask)
    expect(plain(ask).split('\n')[0]).toBe(`alice asks to restart redis-cache (${oldKey}) in web-1`)
    const approvedDigest = (await chat.bot.approvals.get(id))?.planDigest

    // Behind the bot's back, docker_ps now reports a redis-cache with another id, as after `docker rm`
    // and `docker run --name redis-cache` (the simulated engine has no create/remove, so xscontainer's
    // report is rewritten the way the monitor would write it): the same words now name another container.
    const pool = chat.simPool('lab-legacy')
    const ref = pool.store.find('VM', (r) => r.name_label === 'web-1')[0] as string
    const otherConfig = pool.store.get('VM', ref).other_config as Record<string, string>
    const psXml = otherConfig.docker_ps ?? ''
    expect(psXml).toContain(oldKey)
    pool.store.update('VM', ref, {
      other_config: { ...otherConfig, docker_ps: psXml.replaceAll(oldKey, '0123456789') },
    })
    await vi.waitFor(() => {
      const found = chat.xen.inventory.findVm('web-1')
      expect(found.kind === 'found' && found.vm.docker.containers?.find((c) => c.name === 'redis-cache')?.key).toBe(
        '0123456789',
      )
    })

    const bob = await chat.press('bob', `${id}:approve`)
    expect(plain(bob).split('\n').at(-1)).toBe(
      'The target changed since this was requested (a container was recreated?); it cannot be approved. Ask again.',
    )
    // The digest is checked before the vote is recorded: the request is not marked approved.
    expect((await chat.bot.approvals.get(id))?.state).toBe('pending')
    await sleep(100)
    expect(events).toEqual([])
    expect(daemon.inspect('redis-cache').State.Status).toBe('running')
    expect(await chat.bot.store.jobs.recent('shell:alice', 10)).toEqual([])
    expect((await chat.bot.approvals.get(id))?.jobId).toBeUndefined()
    expect((await chat.audit()).filter((e) => e.kind === 'job.started')).toEqual([])
    // Pressed again, by another approver, it still does not run.
    expect(
      plain(await chat.press('carol', `${id}:approve`))
        .split('\n')
        .at(-1),
    ).toBe(
      'The target changed since this was requested (a container was recreated?); it cannot be approved. Ask again.',
    )
    expect(await chat.bot.store.jobs.recent('shell:alice', 10)).toEqual([])

    // Asking again is a new request, bound to the new container.
    const again = await chat.say('alice', '/docker restart web-1 redis-cache')
    expect(plain(again).split('\n')[0]).toBe('alice asks to restart redis-cache (0123456789) in web-1')
    const second = await chat.bot.approvals.get(approvalIdOf(again))
    expect(second?.id).not.toBe(id)
    expect(second?.planDigest).toMatch(/^[0-9a-f]{64}$/)
    expect(second?.planDigest).not.toBe(approvedDigest)
  })
})

describe('a restart of the bot', () => {
  it('keeps a pending approval: still listed and approvable after the restart, and it runs exactly once', async () => {
    const chat = await startGovernedChat()
    const events = chat.dockerEvents('lab-legacy', 'web-1')
    const key = chat.daemon('lab-legacy', 'web-1').inspect('nginx-front').Id.slice(0, 10)
    const id = approvalIdOf(await chat.say('alice', '/docker restart web-1 nginx-front'))
    const before = chat.bot

    const after = await chat.restart()
    expect(after).not.toBe(before)
    expect(after.interrupted).toEqual([])
    // The new bot lists it, with the buttons.
    const queue = await chat.say('bob', '/xen approvals')
    expect(plain(queue).split('\n')).toEqual([
      `alice asks to restart nginx-front (${key}) in web-1 (request ${id}, 0 of 1 approvals)`,
      `[Approve: ${id}:approve] [Deny: ${id}:deny]`,
      'Your own requests can only be cancelled; another approver must approve them.',
    ])

    const approved = await chat.press('bob', `${id}:approve`)
    expect(plain(approved)).toMatch(/\nnginx-front in web-1: restart done\n/)
    expect(
      plain(await chat.press('bob', `${id}:approve`))
        .split('\n')
        .at(-1),
    ).toBe('This request is already approved.')
    // And after one more restart, the decision and its job are still there: nothing runs twice.
    await chat.restart()
    expect(
      plain(await chat.press('carol', `${id}:approve`))
        .split('\n')
        .at(-1),
    ).toBe('This request is already approved.')
    await sleep(200)
    expect(actions(events, 'restart', 'nginx-front')).toHaveLength(1)
    const jobs = await chat.bot.store.jobs.recent('shell:alice', 10)
    expect(jobs).toMatchObject([{ state: 'succeeded', approvalId: id }])
    expect((await chat.bot.approvals.get(id))?.jobId).toBe(jobs[0]?.id)
    expect(tableOf(await chat.say('alice', '/xen jobs')).rows.map((r) => r.slice(0, 2))).toEqual([
      [jobs[0]?.id, 'succeeded'],
    ])
    // One audit chain across the three bots, intact.
    expect(await chat.bot.store.audit.verify()).toEqual({ ok: true, entries: (await chat.audit()).length })
  })
})
