/**
 * Issue #13, reliability: the chat platform rate-limits the bot in the middle of a job. Slack answers
 * the card's first post and its first edit with 429; Discord answers the first edits of the card with
 * 429. Each adapter waits as Retry-After says and carries on: one card (not a second one after the
 * wait), the final state on it, one action in the guest, and an audit trail that verifies. End to end:
 * the real bolt App and the real discord.js Client against the local fakes.
 */
import { describe, expect, it } from 'vitest'
import type { DockerEvent } from '../../src/sim/docker/docker-daemon.js'
import { textOf as slackText, startSlackBot } from '../adapters/slack/slack-bot.js'
import { textOf as discordText, startDiscordChat } from '../helpers/discord-chat.js'
import { chatInput, opt, sub } from '../helpers/fake-discord/fake-interactions.js'
import { actions } from '../helpers/governed-chat.js'
import { simDaemon } from '../helpers/test-chat.js'
import { capturingLog, waitFor } from '../helpers/xen.js'
import { expectContainerAsInGuest, expectInventoryWhole, expectTrail } from './job-trail.js'

const STEPS = ['started', 'start nightly-report in web-1: running', 'start nightly-report in web-1: done']
const TRAIL = [
  ...STEPS,
  'see the new state in the container list: running',
  'see the new state in the container list: done',
  'finished: succeeded',
]

const jobIdIn = (text: string) => {
  const id = /\(job ([0-9a-f]{8})\)/.exec(text)?.[1]
  if (!id) throw new Error(`no job id in ${text}`)
  return id
}

describe('chat rate limits in the middle of a job', () => {
  it('Slack: a 429 on the card post and on its first edit are waited out; one card, the final state, one start', async () => {
    const { log, lines } = capturingLog()
    const bot = await startSlackBot({ log })
    const events: DockerEvent[] = []
    simDaemon(bot.sim, 'lab-legacy', 'web-1').events.on('event', (e) => events.push(e))
    bot.slack.rateLimitNext('chat.postMessage', 1, 1)
    bot.slack.rateLimitNext('chat.update', 1, 1)
    await bot.command('alice', '/docker start web-1 nightly-report')

    const card = await bot.slack.until(
      () => bot.posted().find((m) => /— succeeded/.test(slackText(m.blocks)) && m),
      'the final state of the card',
      20_000,
    )
    const shown = slackText(card.blocks)
    expect(shown).toMatch(/✅ \*start nightly-report \(\w+\) in web-1 \(job \w+\)\* — succeeded/)
    expect(shown).toContain('nightly-report in web-1: start done')
    // Posted once (the 429 did not post, the retry did), every edit to that one message.
    expect(bot.slack.callsOf('chat.postMessage').map((c) => c.status)).toEqual([429, 200])
    expect(bot.posted().filter((m) => /\(job \w+\)/.test(slackText(m.blocks)))).toHaveLength(1)
    const updates = bot.slack.callsOf('chat.update')
    expect(updates[0]?.status).toBe(429)
    expect(updates.every((u) => u.params.ts === card.ts)).toBe(true)
    // Waited as Retry-After said (1 s), once per method.
    const waits = lines.filter((l) => l.msg === 'Slack rate limit: waiting as Retry-After says')
    expect(waits.map((l) => [l.method, l.retryAfterMs])).toEqual([
      ['chat.postMessage', 1000],
      ['chat.update', 1000],
    ])
    expect(actions(events, 'start', 'nightly-report')).toHaveLength(1)
    expect(bot.sim.pool('lab-legacy').pool.pluginCalls.get('xscontainer.start')).toBe(1)
    await expectTrail(bot.app.store.audit, jobIdIn(shown), TRAIL)
    expectInventoryWhole(bot.app.xen.inventory, bot.sim)
    await waitFor(() => {
      const vm = bot.app.xen.inventory.vms({ pool: 'lab-legacy' }).find((v) => v.name === 'web-1')
      return vm?.docker.containers?.find((c) => c.name === 'nightly-report')?.state === 'running'
    })
  })

  it('Discord: 429s on the live card edits are waited out; the card ends in its final state, one start', async () => {
    const discord = await startDiscordChat({ rules: {}, editIntervalMs: 0 })
    const { fake, chat, users } = discord
    const events = chat.dockerEvents('lab-legacy', 'web-1')
    fake.rateLimitEdits = { count: 2, retryAfter: 1 }
    const start = chatInput(fake, users.alice, 'docker', [
      sub('start', [opt('vm', 'web-1'), opt('container', 'nightly-report')]),
    ])
    await discord.next(
      (r) => r.method === 'PATCH' && r.path.includes(start.token) && r.status === 200,
      'an edit that got through',
    )
    await waitFor(() => /succeeded/.test(discordText(discord.original(start))), 20_000, 'the final card')
    const shown = discordText(discord.original(start))
    expect(shown).toContain('nightly-report in web-1: start done')
    const edits = fake.requests.filter((r) => r.method === 'PATCH' && r.path.includes(start.token))
    expect(edits.slice(0, 2).map((r) => r.status)).toEqual([429, 429])
    expect(edits.slice(2).every((r) => r.status === 200)).toBe(true)
    // Every write went to the interaction's one message; nothing was posted a second time.
    const card = discord.original(start)
    expect(edits.every((r) => r.path.endsWith('/messages/@original') || r.path.endsWith(`/messages/${card.id}`))).toBe(
      true,
    )
    expect([...fake.messages.values()].filter((m) => /\(job \w+\)/.test(discordText(m)))).toHaveLength(1)
    expect(actions(events, 'start', 'nightly-report')).toHaveLength(1)
    expect(chat.simPool('lab-legacy').pluginCalls.get('xscontainer.start')).toBe(1)
    await expectTrail(chat.bot.store.audit, jobIdIn(shown), TRAIL)
    expectInventoryWhole(chat.xen.inventory, chat.sim)
    expectContainerAsInGuest(
      chat.xen.inventory,
      { pool: 'lab-legacy', name: 'web-1' },
      'nightly-report',
      chat.daemon('lab-legacy', 'web-1'),
    )
  })
})
