/**
 * The approval flow with two Discord users and buttons: alice (an operator through her server role)
 * asks for a restart, the card with Approve / Deny / Cancel goes to the channel and pings the approver
 * role on purpose; alice cannot approve her own request; bob approves, the job runs once with its live
 * card, and the approval card ends approved, without buttons.
 */

import { MessageFlags } from 'discord.js'
import { describe, expect, it } from 'vitest'
import { buttonId, startDiscordChat, textOf } from '../../helpers/discord-chat.js'
import type { FakeMessage } from '../../helpers/fake-discord/fake-discord.js'
import { chatInput, opt, pressButton, sub } from '../../helpers/fake-discord/fake-interactions.js'
import { actions } from '../../helpers/governed-chat.js'

const customIds = (message: FakeMessage) =>
  (message.components as { components: { custom_id: string }[] }[]).flatMap((row) =>
    row.components.map((c) => c.custom_id),
  )

describe('Discord approvals with buttons', () => {
  it('alice asks, cannot approve herself, bob approves and the job runs once', async () => {
    const discord = await startDiscordChat({ approverPings: true, editIntervalMs: 0 })
    const { fake, chat, users } = discord
    const events = chat.dockerEvents('lab-legacy', 'web-1')

    const ask = chatInput(fake, users.alice, 'docker', [
      sub('restart', [opt('vm', 'web-1'), opt('container', 'nginx-front')]),
    ])
    await discord.next((r) => r.method === 'PATCH' && r.path.includes(ask.token), 'the approval card')
    const card = discord.original(ask)
    expect(card.flags & MessageFlags.Ephemeral).toBe(0)
    expect(textOf(card)).toContain('asks to restart nginx-front')
    const ids = customIds(card)
    expect(ids).toHaveLength(3)
    for (const id of ids) {
      expect(id.length).toBeLessThanOrEqual(100)
      expect(id).toMatch(/^p:[a-z0-9]{6}:(approve|deny|cancel)$/)
    }

    // The one deliberate mention: a new message pinging the approver role, and nothing else.
    const ping = await discord.next(
      (r) => r.method === 'POST' && r.path === `/webhooks/${fake.appId}/${ask.token}`,
      'the approver ping',
    )
    expect(ping.body).toMatchObject({
      content: expect.stringContaining(`<@&${fake.operatorRole}>`),
      allowed_mentions: { parse: [], roles: [fake.operatorRole] },
    })

    const selfVote = pressButton(fake, users.alice, buttonId(card, 'Approve'), card)
    expect((await discord.callback(selfVote)).body).toMatchObject({ type: 6 })
    const refusal = await discord.next(
      (r) => r.method === 'POST' && r.path === `/webhooks/${fake.appId}/${selfVote.token}`,
      'the refusal of a self-approval',
    )
    expect(refusal.body).toMatchObject({ flags: MessageFlags.Ephemeral })
    expect(JSON.stringify(refusal.body)).toContain('cannot approve your own request')
    expect(customIds(discord.original(ask))).toHaveLength(3)

    const approve = pressButton(fake, users.bob, buttonId(card, 'Approve'), card)
    expect((await discord.callback(approve)).body).toMatchObject({ type: 6 })
    const jobCard = await discord.next(
      (r) => r.method === 'POST' && r.path === `/webhooks/${fake.appId}/${approve.token}`,
      'the job card',
    )
    expect(JSON.stringify(jobCard.body)).toContain('restart nginx-front')
    await discord.next(
      (r) => r.method === 'PATCH' && r.path.endsWith(`/${approve.token}/messages/@original`),
      'the approval card, decided',
    )
    const decided = discord.original(approve)
    expect(decided.id).toBe(card.id)
    expect(textOf(decided)).toContain('Approved: restart nginx-front')
    expect(textOf(decided)).toContain('1 of 1 (\\\\@bob)')
    expect(textOf(decided)).toContain('restart done')
    expect(customIds(decided)).toEqual([])

    const jobMessages = [...fake.messages.values()].filter((m) => textOf(m).includes('(job '))
    expect(jobMessages).toHaveLength(1)
    expect(textOf(jobMessages[0] as FakeMessage)).toContain('succeeded')
    expect(actions(events, 'restart', 'nginx-front')).toHaveLength(1)

    // A second press on the decided card runs nothing again.
    const late = pressButton(fake, users.bob, ids[0] as string, card)
    const lateAnswer = await discord.next(
      (r) => r.method === 'POST' && r.path === `/webhooks/${fake.appId}/${late.token}`,
      'the answer to a late press',
    )
    expect(JSON.stringify(lateAnswer.body)).toContain('already approved')
    expect(actions(events, 'restart', 'nginx-front')).toHaveLength(1)
  })

  it('a confirmation only the asker sees: Confirm runs the job in the channel and retires the buttons', async () => {
    const discord = await startDiscordChat({ rules: {}, editIntervalMs: 0 })
    const { fake, chat, users } = discord
    const events = chat.dockerEvents('lab-legacy', 'web-1')
    const ask = chatInput(fake, users.alice, 'docker', [
      sub('restart', [opt('vm', 'web-1'), opt('container', 'nginx-front')]),
    ])
    // Expected in the channel, so deferred publicly; the answer is a private confirmation instead, so
    // the public thinking message is deleted before the private one is sent.
    const prompt = await discord.next(
      (r) => r.method === 'POST' && r.path === `/webhooks/${fake.appId}/${ask.token}`,
      'the private confirmation',
    )
    expect(fake.byToken(ask.token).map((r) => r.method)).toEqual(['POST', 'DELETE', 'POST'])
    expect(prompt.body).toMatchObject({ flags: MessageFlags.Ephemeral })
    const confirmation = [...fake.messages.values()].find((m) => textOf(m).includes('Confirm: restart')) as FakeMessage
    expect(confirmation.flags).toBe(MessageFlags.Ephemeral)

    const confirm = pressButton(fake, users.alice, buttonId(confirmation, 'Confirm'), confirmation)
    const result = await discord.next(
      (r) =>
        r.method === 'POST' &&
        r.path === `/webhooks/${fake.appId}/${confirm.token}` &&
        JSON.stringify(r.body).includes('restart done'),
      'the result in the channel',
    )
    expect((result.body as { flags?: number }).flags ?? 0).toBe(0)
    const stripped = await discord.next(
      (r) => r.method === 'PATCH' && r.path.endsWith(`/${confirm.token}/messages/@original`),
      'the confirmation without its buttons',
    )
    // Only the buttons go; what the confirmation said stays.
    expect(stripped.body).toMatchObject({ components: [] })
    expect(stripped.body).not.toHaveProperty('embeds')
    expect(customIds(confirmation)).toEqual([])
    expect(actions(events, 'restart', 'nginx-front')).toHaveLength(1)
  })
})
