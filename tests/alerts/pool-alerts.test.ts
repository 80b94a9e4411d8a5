/**
 * Issue #11, pools, against the simulator's fault injection: a pool connection that stays down past
 * the grace period is one critical alert, resolved when the bot reconnects, and a blip is none;
 * xscontainer's "cannot monitor VM" message and a host joining without the pack are alerts too.
 */
import { describe, expect, it } from 'vitest'
import { type AlertBot, fieldOf, headOf, startAlertBot } from '../helpers/alert-bot.js'
import { refOf } from '../helpers/xen.js'

const poolState = (bot: AlertBot, name: string) => bot.app.xen.inventory.pools().find((p) => p.name === name)?.state

const summary = (bot: AlertBot) =>
  [...bot.sink.messages().values()].map((m) => [m.channel, headOf(m.reply), fieldOf(m.reply, 'Severity')])

describe('a pool connection', () => {
  it('lost for longer than the grace period is one critical alert, resolved when the bot is back', async () => {
    const bot = await startAlertBot()
    const pool = bot.simPool('lab-legacy')
    // Every request to the pool master has its connection reset: the event stream and every reconnection fail.
    pool.faults.resetConnections = 1_000_000
    pool.store.update('VM', refOf(pool, 'VM', 'web-1'), { tags: ['wake-the-long-poll'] })
    await bot.until(() => poolState(bot, 'lab-legacy') === 'degraded', 'the pool degraded')
    await bot.advance(29_000)
    expect(bot.sink.calls).toEqual([])
    await bot.advance(2_000)
    await bot.until(() => bot.sink.posts.length === 1, 'the alert')
    expect(summary(bot)).toEqual([['ops', 'lost the connection to pool lab-legacy', 'critical']])
    const detail = bot.sink.posts[0]?.reply.blocks.find((b) => b.kind === 'context')
    expect(detail?.kind === 'context' && detail.text).toMatch(/; the bot keeps retrying, and sees no changes/)

    pool.faults.resetConnections = 0
    await bot.settle(() => poolState(bot, 'lab-legacy') === 'synced' && bot.sink.calls.length === 2, 'the reconnection')
    expect(summary(bot)).toEqual([['ops', 'Resolved: lost the connection to pool lab-legacy', 'critical']])
    expect(fieldOf(bot.sink.calls[1]?.reply ?? { blocks: [], visibility: 'channel' }, 'Status')).toMatch(
      /: connection restored$/,
    )
  })

  it('that blips (degraded, then synced within the grace period) raises nothing', async () => {
    const bot = await startAlertBot()
    const pool = bot.simPool('lab-legacy')
    const states: string[] = []
    bot.app.xen.inventory.onChange((c) => {
      if (c.kind === 'pool-status') states.push(c.status.state)
    })
    pool.faults.resetConnections = 1
    pool.store.update('VM', refOf(pool, 'VM', 'web-1'), { tags: ['blip'] })
    await bot.until(() => states.join() === 'degraded,synced', 'degraded, then synced')
    await bot.advance(60_000, 5_000)
    expect(bot.sink.calls).toEqual([])
  })
})

describe("xscontainer's 'cannot monitor VM' message", () => {
  it('is an alert with the monitor diagnosis while it exists; it goes when the monitor reaches the VM again', async () => {
    const bot = await startAlertBot()
    const pool = bot.simPool('lab-legacy')
    const vm = refOf(pool, 'VM', 'web-2')
    const ssh = pool.guests.get(vm)?.ssh
    if (!ssh) throw new Error('no ssh model for web-2')
    ssh.poolKeyAuthorized = false
    // The Docker stream ends: xscontainer wipes the keys, retries every 20 s, and raises its message at 120 s.
    pool.xscontainer?.dropStream(vm)
    await bot.advance(140_000, 10_000)
    await bot.until(() => bot.sink.posts.length === 1, 'the alert')
    expect(summary(bot)).toEqual([
      ['ops', 'xscontainer cannot monitor web-2: its containers are not reported', 'warning'],
    ])
    const detail = bot.sink.posts[0]?.reply.blocks.find((b) => b.kind === 'context')
    expect(detail?.kind === 'context' && detail.text).toBe(
      'Unable to verify key-based authentication. Please prepare the VM to install a key.',
    )
    ssh.poolKeyAuthorized = true
    await bot.settle(() => bot.sink.calls.length === 2, 'the resolution', 5_000)
    expect(summary(bot)).toEqual([
      ['ops', 'Resolved: xscontainer cannot monitor web-2: its containers are not reported', 'warning'],
    ])
    // The container list came back as it was: nothing else to say.
    expect(bot.sink.posts).toHaveLength(1)
  })
})

describe('a host joining a pool', () => {
  const join = (bot: AlertBot, poolName: string, name: string, version: string) =>
    bot.simPool(poolName).store.create('host', {
      name_label: name,
      software_version: { product_brand: 'XenServer', product_version: version, build_number: '1' },
    })

  it('without the pack, or on a version without it, in a pool that relies on it: an alert each; elsewhere nothing', async () => {
    const bot = await startAlertBot()
    const joined: string[] = []
    bot.app.xen.inventory.onChange((c) => {
      if (c.kind === 'host-added') joined.push(`${c.host.pool}/${c.host.name} ${c.host.brand} ${c.host.version}`)
    })
    join(bot, 'lab-legacy', 'xs76-d', '7.6.0')
    join(bot, 'lab-legacy', 'xs83-e', '8.3.0')
    // A modern host in the modern pool: its Docker VMs use SSH anyway.
    join(bot, 'lab-modern', 'xcp83-c', '8.3.0')
    await bot.settle(() => bot.sink.posts.length === 2, 'two alerts')
    await bot.advance(5_000)
    expect(joined.sort()).toEqual([
      'lab-legacy/xs76-d XenServer 7.6.0',
      'lab-legacy/xs83-e XenServer 8.3.0',
      'lab-modern/xcp83-c XenServer 8.3.0',
    ])
    expect(summary(bot).sort()).toEqual([
      ['ops', 'host xs76-d joined pool lab-legacy: xscontainer pack not installed', 'warning'],
      [
        'ops',
        'host xs83-e joined pool lab-legacy: xscontainer is not supported on 8.3; Docker VMs use the SSH backend',
        'warning',
      ],
    ])
  })
})
