/**
 * Issue #11, VMs, against the simulated demo pools: a VM halted outside the bot raises one alert at
 * each routed destination (and none for the containers that stop with it); starting it again resolves
 * those messages, and the containers that did not come back are then reported. A crash and container
 * data that cannot be read are alerts too.
 */
import { describe, expect, it } from 'vitest'
import { type AlertBot, fieldOf, headOf, startAlertBot } from '../helpers/alert-bot.js'
import { call, login } from '../helpers/sim.js'
import { refOf } from '../helpers/xen.js'

const ROUTED = {
  default: { platform: 'shell', channel: 'ops' },
  rules: [
    { match: { pools: ['lab-legacy'], vms: ['web-*'] }, to: [{ platform: 'shell', channel: 'web-team' }] },
    { match: { kinds: ['vm-stopped', 'vm-crashed'] }, to: [{ platform: 'shell', channel: 'infra' }] },
  ],
}

/** Runs a VM operation over XAPI, as someone outside the bot would, moving sim time until its task ends. */
async function outside(bot: AlertBot, method: string, vm: string, ...args: unknown[]): Promise<void> {
  const pool = bot.simPool('lab-legacy')
  const session = await login(bot.sim, 'lab-legacy')
  const task = await call<string>(
    bot.sim.pool('lab-legacy').url,
    `Async.${method}`,
    session,
    refOf(pool, 'VM', vm),
    ...args,
  )
  await bot.advance(6_000)
  expect(pool.store.get('task', task).status).toBe('success')
}

const power = (bot: AlertBot, vm: string) =>
  bot.app.xen.inventory.vms({ pool: 'lab-legacy' }).find((v) => v.name === vm)?.power

const summary = (bot: AlertBot) =>
  [...bot.sink.messages().values()].map((m) => [m.channel, headOf(m.reply), fieldOf(m.reply, 'Severity')])

describe('a VM halted outside the bot', () => {
  it('posts one alert per routed destination, resolves them when it runs again, then reports the containers that stayed down', async () => {
    const bot = await startAlertBot({ alerts: ROUTED })
    await outside(bot, 'VM.clean_shutdown', 'web-1')
    await bot.until(() => power(bot, 'web-1') === 'halted' && bot.sink.posts.length === 2, 'the alerts')
    await bot.advance(5_000)
    expect(summary(bot).sort()).toEqual([
      ['infra', 'web-1 halted, and not by the bot', 'warning'],
      ['web-team', 'web-1 halted, and not by the bot', 'warning'],
    ])

    // On a host with the xscontainer pack: its monitor writes web-1's containers once the guest agent
    // reports (20 s after the boot).
    await outside(bot, 'VM.start_on', 'web-1', refOf(bot.simPool('lab-legacy'), 'host', 'xs76-a'), false, false)
    await bot.advance(40_000, 2_000)
    await bot.until(() => bot.sink.posts.length === 4, 'the containers that stayed down')
    await bot.advance(5_000)
    expect(summary(bot).sort()).toEqual([
      ['infra', 'Resolved: web-1 halted, and not by the bot', 'warning'],
      // No restart policy: redis stopped cleanly (0), the paused resizer was killed (137).
      ['web-team', 'Resolved: web-1 halted, and not by the bot', 'warning'],
      ['web-team', 'image-resizer in web-1 exited with code 137', 'warning'],
      ['web-team', 'redis-cache in web-1 exited with code 0', 'info'],
    ])
    const resolved = [...bot.sink.messages().values()].filter((m) => headOf(m.reply).startsWith('Resolved'))
    // Halted at 4 s of sim time, seen running again at 15 s.
    expect(resolved.map((m) => fieldOf(m.reply, 'Status'))).toEqual([
      'resolved after 11 s: running again',
      'resolved after 11 s: running again',
    ])
  })

  it('paused outside the bot: an alert, resolved when it is unpaused', async () => {
    const bot = await startAlertBot({ alerts: ROUTED })
    // The simulator has no VM.pause: the record changes as it would (xe vm-pause on the host).
    const pool = bot.simPool('lab-legacy')
    pool.store.update('VM', refOf(pool, 'VM', 'registry'), { power_state: 'Paused' })
    await bot.until(() => bot.sink.posts.length === 1, 'the alert')
    expect(summary(bot)).toEqual([['infra', 'registry was paused, and not by the bot', 'warning']])
    pool.store.update('VM', refOf(pool, 'VM', 'registry'), { power_state: 'Running' })
    await bot.settle(() => bot.sink.calls.length === 2, 'the resolution')
    expect(summary(bot)).toEqual([['infra', 'Resolved: registry was paused, and not by the bot', 'warning']])
  })

  it('a crash (xapi message VM_CRASHED) is a critical alert of its own', async () => {
    const bot = await startAlertBot({ alerts: ROUTED })
    const pool = bot.simPool('lab-legacy')
    const registry = pool.store.get('VM', refOf(pool, 'VM', 'registry'))
    await outside(bot, 'VM.hard_shutdown', 'registry')
    pool.store.create('message', {
      name: 'VM_CRASHED',
      priority: 1,
      cls: 'VM',
      obj_uuid: String(registry.uuid),
      body: 'the domain crashed (triple fault)',
    })
    await bot.until(() => bot.sink.posts.length === 2, 'two alerts')
    await bot.advance(3_000)
    expect(summary(bot).sort()).toEqual([
      ['infra', 'registry crashed', 'critical'],
      ['infra', 'registry halted, and not by the bot', 'warning'],
    ])
    await outside(bot, 'VM.start', 'registry', false, false)
    await bot.until(
      () => [...bot.sink.messages().values()].every((m) => headOf(m.reply).startsWith('Resolved')),
      'resolved',
    )
  })
})

describe('container data that cannot be read', () => {
  it('is an alert while it lasts', async () => {
    const bot = await startAlertBot()
    const pool = bot.simPool('lab-legacy')
    const ref = refOf(pool, 'VM', 'web-2')
    const good = (pool.store.get('VM', ref).other_config as Record<string, string>).docker_ps ?? ''
    const setPs = (xml: string) =>
      pool.store.mutate('VM', ref, (r) => {
        r.other_config = { ...(r.other_config as Record<string, string>), docker_ps: xml }
      })
    setPs('<?xml version="1.0" ?><docker_ps><item><entry><labels><a@b>x</a@b></labels></entry></item></docker_ps>')
    await bot.until(() => bot.sink.posts.length === 1, 'the alert')
    expect(headOf(bot.sink.posts[0]?.reply ?? { blocks: [], visibility: 'channel' })).toBe(
      'the container data of web-2 cannot be read',
    )
    setPs(good)
    await bot.settle(() => bot.sink.calls.length === 2, 'the update')
    await bot.advance(3_000)
    expect(summary(bot)).toEqual([['ops', 'Resolved: the container data of web-2 cannot be read', 'warning']])
  })
})
