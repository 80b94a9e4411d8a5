/**
 * Issue #11, containers, against the simulated demo pools: a container killed outside the bot raises
 * exactly one alert, at the destination its rule routes it to, and coming back up edits that message
 * to resolved; what the bot does itself raises nothing.
 */
import { describe, expect, it } from 'vitest'
import { buttonsOf, fieldOf, headOf, startAlertBot, tokenOf } from '../helpers/alert-bot.js'

const ROUTED = {
  default: { platform: 'shell', channel: 'ops' },
  rules: [
    { match: { pools: ['lab-legacy'], vms: ['web-*'] }, to: [{ platform: 'shell', channel: 'web-team' }] },
    { match: { kinds: ['vm-stopped'] }, to: [{ platform: 'shell', channel: 'infra' }] },
  ],
}

const containerState = (bot: Awaited<ReturnType<typeof startAlertBot>>, vm: string, name: string) =>
  bot.app.xen.inventory
    .vms({ pool: 'lab-legacy' })
    .find((v) => v.name === vm)
    ?.docker.containers?.find((c) => c.name === name)?.status

describe('a container killed outside the bot', () => {
  it('posts one alert to the routed channel; starting it again edits that message to resolved', async () => {
    const bot = await startAlertBot({ alerts: ROUTED })
    bot.daemon('lab-legacy', 'web-1').kill('redis-cache')
    await bot.until(() => bot.sink.posts.length === 1, 'the alert')
    await bot.advance(5_000)
    expect(bot.sink.posts.map((p) => [p.channel, headOf(p.reply)])).toEqual([
      ['web-team', 'redis-cache in web-1 exited with code 137'],
    ])
    const [posted] = bot.sink.posts
    if (!posted) throw new Error('no post')
    expect(fieldOf(posted.reply, 'Severity')).toBe('warning')
    expect(fieldOf(posted.reply, 'Container')).toMatch(/^redis-cache \([0-9a-f]{10}\)$/)
    expect(buttonsOf(posted.reply)).toEqual(['Acknowledge', 'Mute 1 h', 'Restart', 'Logs'])

    bot.daemon('lab-legacy', 'web-1').start('redis-cache')
    await bot.until(() => bot.sink.calls.some((c) => c.op === 'update'), 'the update')
    await bot.advance(5_000)
    expect(bot.sink.posts).toHaveLength(1)
    const message = bot.sink.messages().get(posted.messageId)
    expect(message?.op).toBe('update')
    expect(headOf(message?.reply ?? { blocks: [], visibility: 'channel' })).toBe(
      'Resolved: redis-cache in web-1 exited with code 137',
    )
    expect(fieldOf(message?.reply ?? { blocks: [], visibility: 'channel' }, 'Status')).toBe(
      'resolved after 5 s: back up (Up)',
    )
    expect(buttonsOf(message?.reply ?? { blocks: [], visibility: 'channel' })).toEqual([])
  })

  it('exit code 0 is news (info), anything else a warning; an unrouted VM goes to the default channel', async () => {
    const bot = await startAlertBot({ alerts: ROUTED })
    // nginx stops cleanly on its stop signal (exit 0); registry-ui's shell ignores it and is killed (137).
    bot.daemon('lab-legacy', 'web-2').stop('nginx-front')
    bot.daemon('lab-legacy', 'registry').kill('registry-ui')
    await bot.until(() => bot.sink.posts.length === 2, 'two alerts')
    await bot.advance(3_000)
    const seen = bot.sink.posts.map((p) => [p.channel, headOf(p.reply), fieldOf(p.reply, 'Severity')])
    expect(seen.sort()).toEqual([
      ['ops', 'registry-ui in registry exited with code 137', 'warning'],
      ['web-team', 'nginx-front in web-2 exited with code 0', 'info'],
    ])
  })

  it("the bot's own /docker stop raises no alert", async () => {
    const bot = await startAlertBot()
    const confirm = await bot.say('alice', '/docker stop web-1 redis-cache')
    const reply = await bot.press('alice', tokenOf(confirm, 'Confirm'))
    expect(headOf(reply)).toBe('redis-cache in web-1: stop done')
    await bot.until(() => containerState(bot, 'web-1', 'redis-cache')?.startsWith('Exited'), 'the stop seen')
    await bot.advance(5_000)
    expect(bot.sink.calls).toEqual([])
  })
})

describe('a container in a restart loop', () => {
  it('raises one critical alert that counts the restarts, resolved when the loop ends', async () => {
    // The demo's queue-worker on web-2 crashes 2 s after each start; Docker restarts it (policy always).
    const bot = await startAlertBot({ scenario: 'demo', alerts: ROUTED })
    const loops = () =>
      bot.sink.posts.filter((p) => headOf(p.reply).startsWith('queue-worker in web-2 keeps restarting'))
    await bot.settle(() => loops().length === 1, 'the restart-loop alert', 500)
    const [alert] = loops()
    if (!alert) throw new Error('no alert')
    expect(alert.channel).toBe('web-team')
    expect(headOf(alert.reply)).toBe('queue-worker in web-2 keeps restarting: 3 restarts within 5 min')
    expect(fieldOf(alert.reply, 'Severity')).toBe('critical')
    // It keeps looping: the same message counts the further restarts, nothing new is posted.
    await bot.advance(20_000, 500)
    expect(bot.sink.posts).toHaveLength(1)
    const counted = bot.sink.messages().get(alert.messageId)?.reply
    expect(Number(fieldOf(counted ?? alert.reply, 'Occurrences')?.split(' ')[0])).toBeGreaterThan(1)

    // An operator stops it through the bot (its own change: no "exited" alert); a quiet window later the
    // loop alert says so.
    const confirm = await bot.say('alice', '/docker stop web-2 queue-worker')
    expect(headOf(await bot.press('alice', tokenOf(confirm, 'Confirm')))).toBe('queue-worker in web-2: stop done')
    await bot.advance(6 * 60_000, 30_000)
    await bot.settle(
      () => headOf(bot.sink.messages().get(alert.messageId)?.reply ?? alert.reply).startsWith('Resolved'),
      'resolved',
    )
    const last = bot.sink.messages().get(alert.messageId)?.reply ?? alert.reply
    expect(fieldOf(last, 'Status')).toMatch(/^resolved after \d+ min: no longer restarting \(Exited \(\d+\)\)$/)
    expect(bot.sink.posts).toHaveLength(1)
  })
})
