/**
 * Issue #11, the alert buttons, pressed through the dispatcher as a chat adapter would: Restart runs
 * `/docker restart` through access control and approvals — it asks for approval when policy says so,
 * and the container restarts exactly once however often the buttons are pressed; Acknowledge and Mute
 * need docker.operate on the alert's VM, are audited, and edit the alert's message.
 */
import { describe, expect, it } from 'vitest'
import {
  type AlertBot,
  type AlertBotOptions,
  buttonsOf,
  fieldOf,
  headOf,
  plainText,
  startAlertBot,
  tokenOf,
} from '../helpers/alert-bot.js'

async function killedRedis(options: AlertBotOptions = {}) {
  const bot = await startAlertBot(options)
  const restarts: string[] = []
  bot.daemon('lab-legacy', 'web-1').events.on('event', (e) => {
    if (e.Action === 'restart') restarts.push(e.Actor.Attributes.name ?? '')
  })
  bot.daemon('lab-legacy', 'web-1').kill('redis-cache')
  await bot.until(() => bot.sink.posts.length === 1, 'the alert')
  const posted = bot.sink.posts[0]
  if (!posted) throw new Error('no alert')
  return { bot, posted, restarts }
}

/** The audit log's entries, read through its asynchronous iterator. */
async function entries(bot: AlertBot) {
  const all = []
  for await (const entry of bot.app.store.audit.entries()) all.push(entry)
  return all
}

const latest = (bot: AlertBot, messageId: string) => {
  const reply = bot.sink.messages().get(messageId)?.reply
  if (!reply) throw new Error(`no message ${messageId}`)
  return reply
}

describe('the Restart button', () => {
  it('asks for approval when policy says so, and the container restarts once', async () => {
    const { bot, posted, restarts } = await killedRedis({
      approvals: { 'docker restart': { approverRoles: ['approver'] } },
    })
    const restart = tokenOf(posted.reply, 'Restart')

    const card = await bot.press('alice', restart)
    expect(plainText(card)).toMatch(/^alice asks to restart redis-cache \([0-9a-f]{10}\) in web-1\n/)
    const approve = tokenOf(card, 'Approve')
    const approvalId = approve.split(':')[0]
    // Pressed again (by alice or anyone): the alert already asked; no second request.
    const again = await bot.press('alice', restart)
    expect(headOf(again)).toBe(
      `alice already asked to restart it from this alert; it waits for approval ${approvalId}.`,
    )
    await bot.settle(
      () => fieldOf(latest(bot, posted.messageId), 'Status')?.includes('restart asked by alice'),
      'the edit',
    )
    expect(buttonsOf(latest(bot, posted.messageId))).toEqual(['Acknowledge', 'Mute 1 h', 'Logs'])
    expect(restarts).toEqual([])

    const approved = await bot.press('bob', approve)
    expect(plainText(approved)).toMatch(/^Approved: restart redis-cache/)
    expect(await bot.press('bob', approve).then(plainText)).toMatch(/already approved/)
    await bot.settle(() => headOf(latest(bot, posted.messageId)).startsWith('Resolved'), 'resolved by the restart')
    expect(restarts).toEqual(['redis-cache'])
    expect(fieldOf(latest(bot, posted.messageId), 'Status')).toMatch(
      /^resolved after \d+ s: back up \(Up\); restart asked by alice \(approval [a-z0-9]{6}\)$/,
    )
    // The bot's own restart raised nothing new.
    expect(bot.sink.posts).toHaveLength(1)
  })

  it('without an approval rule it is the command as typed: a confirmation only the presser may answer', async () => {
    const { bot, posted, restarts } = await killedRedis()
    const confirm = await bot.press('alice', tokenOf(posted.reply, 'Restart'))
    expect(headOf(confirm)).toMatch(/^Confirm: restart redis-cache \([0-9a-f]{10}\) in web-1\?$/)
    expect(confirm.visibility).toBe('ephemeral')
    // Nothing was asked yet: the button is still there for whoever decides to.
    expect(buttonsOf(latest(bot, posted.messageId))).toContain('Restart')
    await bot.press('alice', tokenOf(confirm, 'Confirm'))
    await bot.settle(() => headOf(latest(bot, posted.messageId)).startsWith('Resolved'), 'resolved')
    expect(restarts).toEqual(['redis-cache'])
  })

  it('someone without docker.operate is refused by access control, and nothing runs', async () => {
    const { bot, posted, restarts } = await killedRedis()
    const refused = await bot.press('eve', tokenOf(posted.reply, 'Restart'))
    expect(headOf(refused)).toBe('you need the docker.operate permission for that; ask an admin to grant it')
    expect(restarts).toEqual([])
  })
})

describe('Acknowledge, Mute and Logs', () => {
  it('acknowledge edits the message (once), and is audited; eve may not', async () => {
    const { bot, posted } = await killedRedis()
    const ack = tokenOf(posted.reply, 'Acknowledge')
    expect(headOf(await bot.press('eve', ack))).toBe(
      'you need the docker.operate permission on web-1 for that; ask an admin to grant it',
    )
    expect(headOf(await bot.press('alice', ack))).toBe('Acknowledged: redis-cache in web-1 exited with code 137')
    expect(headOf(await bot.press('alice', ack))).toBe('This alert is already acknowledged by alice.')
    await bot.settle(() => fieldOf(latest(bot, posted.messageId), 'Status')?.startsWith('acknowledged'), 'the edit')
    expect(fieldOf(latest(bot, posted.messageId), 'Status')).toBe('acknowledged by alice at 2026-01-05 12:00 UTC')
    expect(buttonsOf(latest(bot, posted.messageId))).toEqual(['Mute 1 h', 'Restart', 'Logs'])
    const audit = (await entries(bot)).filter((e) => e.data.command === 'alert acknowledge')
    expect(audit.map((e) => [e.userName, e.data.allowed])).toEqual([
      ['eve', false],
      ['alice', true],
      ['alice', true],
    ])
    const alertId = ack.split(':')[0]
    const requests = (await entries(bot)).filter((e) => e.kind === 'request')
    expect(requests.map((e) => [e.userName, e.data.text])).toEqual([
      ['eve', `alert ${alertId}: acknowledge`],
      ['alice', `alert ${alertId}: acknowledge`],
      ['alice', `alert ${alertId}: acknowledge`],
    ])
  })

  it('mute: firings within the hour edit the muted alert instead of posting', async () => {
    // Re-notify at once: without the mute, each new exit would be a new message.
    const { bot, posted } = await killedRedis({
      alerts: { default: { platform: 'shell', channel: 'ops' }, renotifyMinutes: 0 },
    })
    expect(headOf(await bot.press('alice', tokenOf(posted.reply, 'Mute 1 h')))).toBe(
      'Muted until 2026-01-05 13:00 UTC: redis-cache in web-1 exited with code 137. It is still counted on its message.',
    )
    const web1 = bot.daemon('lab-legacy', 'web-1')
    // Twice down again within the hour (a third time would be flapping: see no-floods.test.ts).
    for (let i = 0; i < 2; i++) {
      web1.start('redis-cache')
      await bot.settle(() => headOf(latest(bot, posted.messageId)).startsWith('Resolved'), 'up')
      web1.kill('redis-cache')
      await bot.settle(() => !headOf(latest(bot, posted.messageId)).startsWith('Resolved'), 'down')
    }
    expect(bot.sink.posts).toHaveLength(1)
    const status = fieldOf(latest(bot, posted.messageId), 'Status')
    expect(status).toMatch(/; muted until 2026-01-05 13:00 UTC by alice$/)
    expect(fieldOf(latest(bot, posted.messageId), 'Occurrences')).toMatch(/^3 /)
  })

  it('logs runs /docker logs for the presser (xscontainer cannot give logs, and says so)', async () => {
    const { bot, posted } = await killedRedis()
    const reply = await bot.press('alice', tokenOf(posted.reply, 'Logs'))
    expect(reply.visibility).toBe('ephemeral')
    expect(headOf(reply)).toBe(
      'logs are not available through xscontainer (web-1 is served by it); the SSH backend provides them',
    )
  })

  it('a token for no alert is refused in words', async () => {
    const bot = await startAlertBot()
    expect(headOf(await bot.press('alice', 'zzzzzzzz:ack'))).toBe('there is no alert zzzzzzzz')
  })
})
