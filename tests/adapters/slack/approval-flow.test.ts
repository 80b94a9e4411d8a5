/**
 * An approval through Slack with two (then three) different users, through the real bolt App and the
 * real governance, store and simulator: the requester's own click is refused privately, the approver's
 * click runs the job, the card in the channel is edited through the job's steps to its result, and a
 * third click changes nothing. alice's right to operate comes from a user group, so it must survive
 * being re-checked when bob's click re-plans her request.
 */
import { describe, expect, it } from 'vitest'
import type { DockerEvent } from '../../../src/sim/docker/docker-daemon.js'
import { allEntries } from '../../helpers/audit-entries.js'
import { refOf } from '../../helpers/xen.js'
import { buttonIn, expectWithinLimits, startSlackBot, textOf } from './slack-bot.js'

describe('approvals in Slack', () => {
  it('refuses the requester, runs on the approver, edits the card through its steps, ignores a third click', async () => {
    const bot = await startSlackBot({ rules: { 'docker restart': {} } })
    const pool = bot.sim.pool('lab-legacy').pool
    const daemon = pool.guests.get(refOf(pool, 'VM', 'web-1'))?.docker
    if (!daemon) throw new Error('web-1 has no Docker engine')
    const restarts: DockerEvent[] = []
    daemon.events.on('event', (e: DockerEvent) => {
      if (e.Action === 'restart' && e.Actor.Attributes.name === 'nginx-front') restarts.push(e)
    })

    await bot.command('alice', '/docker restart web-1 nginx-front')
    const card = await bot.slack.until(
      () => bot.posted().find((m) => textOf(m.blocks).includes('alice asks to restart nginx-front')),
      'the approval card',
    )
    expect(textOf(card.blocks)).toMatch(/Approve[\s\S]*Deny[\s\S]*Cancel/)
    const approve = buttonIn(card.blocks, 'Approve')
    const updatesOfCard = () => bot.slack.callsOf('chat.update').filter((c) => c.params.ts === card.ts)

    // The requester's own click: refused, privately, and the card is left as it is.
    await bot.pressIn('alice', card, 'Approve')
    const refusal = await bot.slack.until(
      () =>
        bot.slack.responses.find((r) => textOf(r.body.blocks as unknown[]).includes('cannot approve your own request')),
      'the refusal',
    )
    expect(refusal.body.response_type).toBe('ephemeral')
    expect(refusal.body.replace_original).toBe(false)
    expect(updatesOfCard()).toEqual([])
    expect(restarts).toEqual([])

    // The approver (through the S0APPROVERS group): the job runs, the card follows it.
    await bot.pressIn('bob', card, 'Approve')
    // The press's reply (the approved request and the command's result) comes last, above the job's card.
    await bot.slack.until(() => textOf(card.blocks).includes('Approved: restart') && card, 'the result on the card')
    expect(restarts).toHaveLength(1)
    const steps = updatesOfCard().map((c) => textOf(c.params.blocks as unknown[]))
    const approvedAt = steps.findIndex((t) => /Approval \w+: restart nginx-front .* — succeeded/.test(t))
    const runningAt = steps.findIndex((t) => /⏳ \*restart nginx-front .*\(job \w+\)\* — running/.test(t))
    const doneAt = steps.findIndex((t) => /✅ \*restart nginx-front .*\(job \w+\)\* — succeeded/.test(t))
    expect(approvedAt).toBeGreaterThanOrEqual(0)
    expect(runningAt).toBeGreaterThan(approvedAt)
    expect(doneAt).toBeGreaterThan(runningAt)
    expect(steps.at(-1)).toMatch(/Approved: restart[\s\S]*1 of 1 \(bob\)[\s\S]*restart done[\s\S]*— succeeded/)
    // No Approve button under the job it started, nor after.
    const buttonsShown = updatesOfCard().map((c) => JSON.stringify(c.params.blocks).includes('"text":"Approve"'))
    expect(buttonsShown.slice(approvedAt)).not.toContain(true)
    // Once approved, the card has no buttons left to press.
    expect(JSON.stringify(card.blocks)).not.toContain('"text":"Approve"')
    const final = textOf(card.blocks)
    expect(final).toContain('✅ restart nginx-front in web-1')

    // A third click (the Approve button as first shown, by another approver): told privately, nothing
    // runs, the card stays.
    const editsBefore = updatesOfCard().length
    await bot.pressButton('carol', approve, { channel: card.channel, ts: card.ts })
    const already = await bot.slack.until(
      () => bot.slack.responses.find((r) => textOf(r.body.blocks as unknown[]).includes('already approved')),
      'the third click answered',
    )
    expect(already.body.response_type).toBe('ephemeral')
    expect(updatesOfCard()).toHaveLength(editsBefore)
    expect(restarts).toHaveLength(1)

    // The audit chain names who asked and who approved, and the job ran as the requester.
    const audit = await allEntries(bot.app.store.audit)
    expect(
      audit.some((e) => e.kind === 'approval.vote' && e.userId === 'U0ALICE' && e.data.outcome === 'refused'),
    ).toBe(true)
    expect(audit.some((e) => e.kind === 'approval.vote' && e.userId === 'U0BOB' && e.data.outcome === 'recorded')).toBe(
      true,
    )
    expect(audit.some((e) => e.kind === 'job.started' && e.userId === 'U0ALICE')).toBe(true)
    expectWithinLimits(bot.slack)
  })
})
