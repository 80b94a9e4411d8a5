/**
 * Issue #11, no floods: at most `ratePerSecond` sink calls per destination (posts and edits alike);
 * beyond a few waiting alerts, the rest fold into one digest message, edited in place, that counts
 * every event — so a storm of 10,000 container deaths in 10 s of sim time posts no faster than the rate
 * and every death is in its own message or counted in the digest. A condition that flaps is called
 * resolved only once it has been stable; quiet hours hold what is not urgent and post it as a digest
 * when they end; a platform that refuses for good stops the posting, and nothing is lost.
 *
 * The 10,000 deaths come through the Inventory port (the simulator's xscontainer monitor rewrites a
 * VM's whole docker_ps per death, about 1,000 a second at best); a smaller storm runs through the
 * simulator end to end.
 */
import { describe, expect, it } from 'vitest'
import { AlertSinkRefused } from '../../src/core/alert-sink.js'
import type { Reply } from '../../src/core/reply.js'
import { scenarioSchema } from '../../src/sim/scenario.js'
import { fieldOf, headOf, type SinkCall, startAlertBot } from '../helpers/alert-bot.js'
import { container, startHarness, vm, withStatus } from '../helpers/alert-harness.js'

const OPS = { default: { platform: 'shell', channel: 'ops' } }
const isDigest = (reply: Reply) =>
  / alert events (folded into this message|held back during quiet hours)/.test(headOf(reply))
const eventsOf = (reply: Reply) => Number(fieldOf(reply, 'Events')?.replaceAll(',', ''))

/** Sink calls are at least `ms` apart: the rate holds for posts and edits alike. */
function expectSpacing(calls: readonly SinkCall[], ms: number): void {
  const gaps = calls.slice(1).map((call, i) => call.at - (calls[i]?.at ?? 0))
  expect(gaps.filter((gap) => gap < ms)).toEqual([])
}

describe('a storm of 10,000 container deaths within 10 s of sim time', () => {
  it('posts no faster than 1 message per second, and one digest counts every death not posted alone', async () => {
    const h = startHarness(OPS)
    h.inventory.synced('storm')
    const hosts = Array.from({ length: 100 }, (_, i) => vm('storm', `vm-${i}`, i))
    const start = h.clock.now()
    for (let second = 0; second < 10; second++) {
      for (let i = 0; i < 1_000; i++) {
        const n = second * 1_000 + i
        const host = hosts[n % hosts.length] ?? hosts[0]
        if (!host) throw new Error('no host')
        const c = container(`worker-${n}`, n)
        h.inventory.emit({ kind: 'container-changed', vm: host, previous: c, container: withStatus(c, 'Exited (137)') })
      }
      await h.clock.advance(1_000)
    }
    const during = h.sink.calls.filter((c) => c.at - start <= 10_000)
    expect(during.length).toBeLessThanOrEqual(11)
    // The storm ends; the digest's last edit goes out, then it stops counting.
    await h.clock.advance(120_000)
    expectSpacing(h.sink.calls, 1_000)

    const messages = [...h.sink.messages().values()]
    const digests = messages.filter((m) => isDigest(m.reply))
    const alone = messages.filter((m) => !isDigest(m.reply))
    expect(digests).toHaveLength(1)
    expect(alone.map((m) => headOf(m.reply))).toEqual([
      'worker-0 in vm-0 exited with code 137',
      'worker-1 in vm-1 exited with code 137',
      'worker-2 in vm-2 exited with code 137',
      'worker-3 in vm-3 exited with code 137',
    ])
    const [digest] = digests
    if (!digest) throw new Error('no digest')
    expect(eventsOf(digest.reply) + alone.length).toBe(10_000)
    expect(fieldOf(digest.reply, 'container-exited')).toBe('9,996')
    expect(fieldOf(digest.reply, 'Alerts')).toBe('9,996 (9,996 not resolved)')
    // The store agrees: no alert is left without its message or its digest.
    expect(await h.store.alerts.pendingPosts()).toEqual([])
    expect(await h.store.alerts.unresolved()).toHaveLength(10_000)
  })
})

describe('a storm through the simulator', () => {
  it('300 deaths in 10 s of sim time: no faster than the rate, all 300 accounted for', async () => {
    const vms = Array.from({ length: 30 }, (_, v) => ({
      name: `svc-${v}`,
      power: 'running',
      host: 'xs-a',
      ips: [`10.30.0.${v + 10}`],
      docker: {
        monitor: true,
        containers: Array.from({ length: 10 }, (_, c) => ({ name: `task-${v}-${c}`, image: 'alpine:3.19' })),
      },
    }))
    const scenario = scenarioSchema.parse({
      name: 'storm',
      pools: [{ name: 'storm', hosts: [{ name: 'xs-a', xscontainer: true }], vms }],
    })
    const bot = await startAlertBot({ scenario })
    const exited = () =>
      bot.app.xen.inventory
        .vms({ pool: 'storm' })
        .flatMap((v) => v.docker.containers ?? [])
        .filter((c) => c.state === 'exited').length
    const start = bot.clock.now()
    for (let second = 0; second < 10; second++) {
      for (let v = 0; v < 30; v++) bot.daemon('storm', `svc-${v}`).kill(`task-${v}-${second}`)
      await bot.until(() => exited() === (second + 1) * 30, 'the deaths seen')
      await bot.clock.advance(1_000)
    }
    expect(bot.sink.calls.filter((c) => c.at - start <= 10_000).length).toBeLessThanOrEqual(11)
    await bot.advance(120_000, 10_000)
    expectSpacing(bot.sink.calls, 1_000)
    const messages = [...bot.sink.messages().values()]
    const digests = messages.filter((m) => isDigest(m.reply))
    expect(digests).toHaveLength(1)
    const alone = messages.length - digests.length
    expect(alone).toBeGreaterThanOrEqual(1)
    expect(eventsOf(digests[0]?.reply ?? { blocks: [], visibility: 'channel' }) + alone).toBe(300)
  })
})

describe('flap damping', () => {
  it('a container that keeps dying and coming back: one message, "flapping", resolved once stable', async () => {
    const bot = await startAlertBot()
    const web1 = bot.daemon('lab-legacy', 'web-1')
    const head = () => headOf(bot.sink.calls.at(-1)?.reply ?? { blocks: [], visibility: 'channel' })
    const statusNow = () => fieldOf(bot.sink.calls.at(-1)?.reply ?? { blocks: [], visibility: 'channel' }, 'Status')
    web1.kill('redis-cache')
    await bot.settle(() => bot.sink.posts.length === 1, 'the alert')
    for (let i = 0; i < 3; i++) {
      web1.start('redis-cache')
      await bot.settle(() => head().startsWith('Resolved') || statusNow()?.includes('flapping'), 'up again')
      if (i < 2) {
        web1.kill('redis-cache')
        await bot.settle(() => !head().startsWith('Resolved'), 'down again')
      }
    }
    // The third recovery within 10 minutes (six changes): flapping, not yet resolved.
    expect(head()).toBe('redis-cache in web-1 exited with code 137')
    expect(statusNow()).toMatch(/; flapping: it waits to be stable before it says resolved$/)
    await bot.advance(9 * 60_000, 30_000)
    expect(head()).toBe('redis-cache in web-1 exited with code 137')
    await bot.settle(() => head().startsWith('Resolved'), 'resolved once stable', 30_000)
    expect(statusNow()).toMatch(/: back up \(Up\)$/)
    expect(bot.sink.posts).toHaveLength(1)
  })
})

describe('quiet hours', () => {
  it('hold alerts below the minimum severity, and post them as one digest when they end', async () => {
    // 06:30 UTC, quiet until 07:00.
    const h = startHarness(
      { ...OPS, quietHours: { from: '22:00', to: '07:00', timeZone: 'UTC' } },
      Date.UTC(2026, 0, 5, 6, 30),
    )
    h.inventory.synced('lab')
    const host = vm('lab', 'web-1', 1)
    const a = container('api', 1)
    const b = container('cache', 2)
    h.inventory.emit({ kind: 'container-changed', vm: host, previous: a, container: withStatus(a, 'Exited (1)') })
    h.inventory.emit({ kind: 'container-changed', vm: host, previous: b, container: withStatus(b, 'Exited (0)') })
    // Critical is posted anyway: the pool is lost (after its grace period).
    h.inventory.emit({ kind: 'pool-status', status: { name: 'lab', state: 'degraded', reason: 'timeout', since: 0 } })
    await h.clock.advance(60_000)
    expect(h.sink.calls.map((c) => headOf(c.reply))).toEqual(['lost the connection to pool lab'])
    await h.clock.advance(29 * 60_000)
    expect(h.sink.calls.map((c) => headOf(c.reply))).toEqual([
      'lost the connection to pool lab',
      '2 alert events held back during quiet hours',
    ])
    expect(fieldOf(h.sink.calls[1]?.reply ?? { blocks: [], visibility: 'channel' }, 'From')).toBe(
      '2026-01-05 06:30 UTC',
    )
    expect(h.sink.calls[1]?.at).toBe(Date.UTC(2026, 0, 5, 7, 0))
  })
})

describe('a platform that refuses for good', () => {
  it('stops posting to that destination at the first refusal; the alerts stay stored and go out after a restart', async () => {
    const h = startHarness(OPS)
    h.inventory.synced('lab')
    h.sink.failWith = new AlertSinkRefused('channel_not_found')
    const before = [0, 1, 2].map((i) => container(`svc-${i}`, i))
    const host = vm(
      'lab',
      'web-1',
      1,
      before.map((c) => withStatus(c, 'Exited (1)')),
    )
    for (const c of before) {
      h.inventory.emit({ kind: 'container-changed', vm: host, previous: c, container: withStatus(c, 'Exited (1)') })
    }
    await h.clock.advance(10_000)
    expect(h.sink.calls).toEqual([])
    expect(await h.store.alerts.pendingPosts()).toHaveLength(3)
    const after = await h.restart()
    await after.clock.advance(10_000)
    expect(after.sink.posts.map((c) => headOf(c.reply))).toEqual([
      'svc-0 in web-1 exited with code 1',
      'svc-1 in web-1 exited with code 1',
      'svc-2 in web-1 exited with code 1',
    ])
    expect(await after.store.alerts.pendingPosts()).toEqual([])
  })

  it('a failure that may pass (network) is retried with a growing wait, and then goes through', async () => {
    const h = startHarness(OPS)
    h.inventory.synced('lab')
    h.sink.failWith = new Error('ECONNRESET')
    const c = container('svc', 1)
    h.inventory.emit({
      kind: 'container-changed',
      vm: vm('lab', 'web-1', 1),
      previous: c,
      container: withStatus(c, 'Exited (1)'),
    })
    await h.clock.advance(3_000)
    h.sink.failWith = undefined
    await h.clock.advance(10_000)
    expect(h.sink.posts.map((p) => [headOf(p.reply), p.at - Date.UTC(2026, 0, 5, 12, 0)])).toEqual([
      // Tried at 0 s (failed), at 2 s (failed), then at 2 + 4 = 6 s.
      ['svc in web-1 exited with code 1', 6_000],
    ])
  })
})

describe('re-notification and the rate', () => {
  it('a condition that fires again within the interval edits its alert; after it, a new alert is posted', async () => {
    const h = startHarness({ ...OPS, renotifyMinutes: 60 })
    h.inventory.synced('lab')
    const up = container('svc', 1)
    const down = withStatus(up, 'Exited (1)')
    const host = vm('lab', 'web-1', 1, [up])
    const cycle = async () => {
      h.inventory.emit({ kind: 'container-changed', vm: host, previous: up, container: down })
      await h.clock.advance(5_000)
      h.inventory.emit({ kind: 'container-changed', vm: host, previous: down, container: up })
      await h.clock.advance(5_000)
    }
    await cycle()
    await h.clock.advance(30 * 60_000)
    await cycle()
    expect(h.sink.posts).toHaveLength(1)
    await h.clock.advance(61 * 60_000)
    await cycle()
    expect(h.sink.posts.map((p) => [headOf(p.reply), (p.at - (h.sink.posts[0]?.at ?? 0)) / 60_000])).toEqual([
      ['svc in web-1 exited with code 1', 0],
      ['svc in web-1 exited with code 1', 91 + 20 / 60],
    ])
    // The first alert counted its second firing (within the interval) in place.
    const first = h.sink.messages().get(h.sink.posts[0]?.messageId ?? '')
    expect(first && fieldOf(first.reply, 'Occurrences')).toMatch(/^2 /)
  })

  it('the rate is per destination and configurable: at 0.5 per second, calls are 2 s apart', async () => {
    const h = startHarness({
      default: { platform: 'shell', channel: 'ops' },
      rules: [{ match: { vms: ['db-*'] }, to: [{ platform: 'shell', channel: 'dba' }] }],
      ratePerSecond: 0.5,
    })
    h.inventory.synced('lab')
    for (const [i, name] of ['web-1', 'web-2', 'db-1', 'db-2'].entries()) {
      const c = container('svc', i)
      h.inventory.emit({
        kind: 'container-changed',
        vm: vm('lab', name, i),
        previous: c,
        container: withStatus(c, 'Exited (1)'),
      })
    }
    await h.clock.advance(10_000)
    const t0 = h.sink.calls[0]?.at ?? 0
    expect(h.sink.calls.map((c) => [c.channel, (c.at - t0) / 1000])).toEqual([
      ['ops', 0],
      ['dba', 0],
      ['ops', 2],
      ['dba', 2],
    ])
  })
})
