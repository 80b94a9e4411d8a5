/**
 * Issue #11, durability: alert state lives in the store, so a restart of the bot during an open alert
 * posts nothing twice, and the alert is still the one that gets resolved — by an event after the
 * restart, or by what the pool shows when the new bot syncs (it recovered while the bot was away). An
 * alert the old bot could not deliver is delivered by the new one, once.
 */
import { describe, expect, it } from 'vitest'
import { type AlertBot, fieldOf, headOf, startAlertBot } from '../helpers/alert-bot.js'

const status = (bot: AlertBot, vm: string, name: string) =>
  bot.app.xen.inventory
    .vms({ pool: 'lab-legacy' })
    .find((v) => v.name === vm)
    ?.docker.containers?.find((c) => c.name === name)?.status

async function killedRedis() {
  const bot = await startAlertBot()
  bot.daemon('lab-legacy', 'web-1').kill('redis-cache')
  await bot.until(() => bot.sink.posts.length === 1, 'the alert')
  const posted = bot.sink.posts[0]
  if (!posted) throw new Error('no alert')
  return { bot, posted }
}

describe('a restart of the bot during an open alert', () => {
  it('posts no duplicate; the container coming back later edits the original message', async () => {
    const { bot, posted } = await killedRedis()
    const after = await bot.restart()
    await after.advance(10_000)
    expect(after.sink.calls).toEqual([])
    expect((await after.app.alerts?.engine.unresolved())?.map((a) => a.title)).toEqual([
      'redis-cache in web-1 exited with code 137',
    ])

    after.daemon('lab-legacy', 'web-1').start('redis-cache')
    await after.settle(() => after.sink.calls.length === 1, 'the resolution')
    const [update] = after.sink.calls
    expect([update?.op, update?.channel, update?.messageId]).toEqual(['update', 'ops', posted.messageId])
    expect(headOf(update?.reply ?? posted.reply)).toBe('Resolved: redis-cache in web-1 exited with code 137')
  })

  it('a container that came back while the bot was down: resolved when the new bot syncs', async () => {
    const { bot, posted } = await killedRedis()
    await bot.app.stop()
    bot.daemon('lab-legacy', 'web-1').start('redis-cache')
    const after = await bot.restart()
    await after.settle(() => after.sink.calls.length === 1, 'the resolution')
    const [update] = after.sink.calls
    expect([update?.op, update?.messageId]).toEqual(['update', posted.messageId])
    expect(fieldOf(update?.reply ?? posted.reply, 'Status')).toMatch(/: back up \(Up\)$/)
    expect(await after.app.alerts?.engine.unresolved()).toEqual([])
  })

  it('the same condition firing again after the restart edits the same alert (within the re-notify interval)', async () => {
    const { bot, posted } = await killedRedis()
    bot.daemon('lab-legacy', 'web-1').start('redis-cache')
    await bot.settle(() => bot.sink.calls.length === 2, 'resolved')
    const after = await bot.restart()
    after.daemon('lab-legacy', 'web-1').kill('redis-cache')
    await after.settle(() => after.sink.calls.length === 1, 'the re-opened alert')
    const [update] = after.sink.calls
    expect([update?.op, update?.messageId]).toEqual(['update', posted.messageId])
    expect(headOf(update?.reply ?? posted.reply)).toBe('redis-cache in web-1 exited with code 137')
    expect(fieldOf(update?.reply ?? posted.reply, 'Occurrences')).toMatch(/^2 \(last /)
  })

  it('an alert the old bot could not deliver is posted once by the new one', async () => {
    const bot = await startAlertBot()
    bot.sink.failWith = new Error('socket hang up')
    bot.daemon('lab-legacy', 'web-1').kill('redis-cache')
    await bot.until(() => status(bot, 'web-1', 'redis-cache')?.startsWith('Exited'), 'the exit seen')
    await bot.advance(10_000)
    expect(bot.sink.calls).toEqual([])
    const after = await bot.restart()
    await after.settle(() => after.sink.posts.length === 1, 'the delivery')
    await after.advance(10_000)
    expect(after.sink.calls.map((c) => [c.op, headOf(c.reply)])).toEqual([
      ['post', 'redis-cache in web-1 exited with code 137'],
    ])
  })
})
