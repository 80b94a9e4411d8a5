/**
 * Issue #15: a replica taking the lead raises the container deaths it saw in the seconds before that no
 * leader alerted (the old leader died first), and nothing else: not a death the old leader alerted,
 * not one that came back up, not one older than the window (the old leader chose not to raise it, as
 * for a `docker stop` it ran itself). The old and the new leader are two alert channels on one store
 * and one inventory (faked at the Inventory port), on a manual clock.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { type Alerts, createAlerts } from '../../src/alerts/alerts.js'
import { alertsSchema } from '../../src/alerts/alerts-config.js'
import { ExpectedChangeRegistry } from '../../src/alerts/expected-changes.js'
import { MissedDeaths } from '../../src/alerts/missed-deaths.js'
import { restartableAlerts } from '../../src/alerts/restartable-alerts.js'
import type { Container } from '../../src/core/ports.js'
import { silentLog } from '../../src/log.js'
import { ManualClock } from '../../src/sim/clock.js'
import { openStore } from '../../src/store/open-store.js'
import { headOf, RecordingSink } from '../helpers/alert-bot.js'
import { container, FakeInventory, vm, withStatus } from '../helpers/alert-harness.js'

const stops: (() => unknown)[] = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

function replicas() {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0))
  const store = openStore({ memory: true })
  stops.push(() => store.close())
  const inventory = new FakeInventory()
  const channel = (expected: ExpectedChangeRegistry): Alerts => {
    const alerts = createAlerts({
      config: alertsSchema.parse({ default: { platform: 'shell', channel: 'ops' }, ratePerSecond: 10 }),
      store: store.alerts,
      inventory,
      log: silentLog,
      clock,
      expected,
      commands: [],
    })
    stops.push(() => alerts.stop())
    return alerts
  }
  // The new leader's own marks, and the old one's (a change the old leader made is expected only there).
  const expected = new ExpectedChangeRegistry(clock)
  const oldExpected = new ExpectedChangeRegistry(clock)
  const missed = new MissedDeaths({ inventory, clock, expected, log: silentLog, windowMs: 10_000 })
  const follower = restartableAlerts(() => channel(expected), missed)
  const sink = new RecordingSink(() => clock.now())
  follower.attach(sink)
  const old = channel(oldExpected)
  old.attach(sink)
  // web-1's containers as the inventory lists them, each change announced as the real one would.
  const listed = new Map<string, Container>()
  const host = () => vm('lab', 'web-1', 1, [...listed.values()])
  const change = (name: string, status: string) => {
    const previous = listed.get(name)
    if (!previous) throw new Error(`web-1 has no ${name}`)
    listed.set(name, withStatus(previous, status))
    inventory.emit({ kind: 'container-changed', vm: host(), previous, container: withStatus(previous, status) })
  }
  const die = (name: string) => change(name, 'Exited (137)')
  for (const [i, name] of ['batch', 'api', 'cache', 'worker'].entries()) listed.set(name, container(name, i + 1))
  inventory.emit({ kind: 'vm-added', vm: host() })
  const synced = () => inventory.synced('lab')
  return { clock, store, synced, old, oldExpected, follower, sink, host, change, die }
}

describe('a replica taking the lead', () => {
  it('raises the recent deaths no leader alerted, once, and nothing else', async () => {
    const r = replicas()
    await r.old.start()
    r.synced()
    // Long before the takeover: one death the old leader chose not to raise (its own docker stop).
    const done = r.oldExpected.expect({
      pool: 'lab',
      vm: r.host().uuid,
      container: container('batch', 1).id,
      by: 'test',
    })
    r.die('batch')
    done()
    await r.clock.advance(60_000)
    // Shortly before: one the old leader alerted, then it dies; two more deaths nobody alerts, one of
    // which comes back up before the takeover.
    r.die('api')
    await r.old.engine.idle()
    await r.clock.advance(1_000)
    expect(r.sink.posts.map((p) => headOf(p.reply))).toEqual(['api in web-1 exited with code 137'])
    await r.old.stop()
    r.die('cache')
    r.die('worker')
    r.change('worker', 'Up')
    await r.clock.advance(2_000)

    await r.follower.start()
    await r.follower.engine.idle()
    await r.clock.advance(1_000)
    expect(r.sink.posts.map((p) => headOf(p.reply))).toEqual([
      'api in web-1 exited with code 137',
      'cache in web-1 exited with code 137',
    ])
    const alerts = await r.store.alerts.unresolved()
    expect(alerts.map((a) => [a.title, a.occurrences])).toEqual([
      ['api in web-1 exited with code 137', 1],
      ['cache in web-1 exited with code 137', 1],
    ])
  })

  it('raises nothing when it leads from the start (what the pools show then is the baseline)', async () => {
    const r = replicas()
    await r.follower.start()
    r.synced()
    await r.follower.engine.idle()
    expect(r.sink.posts).toEqual([])
    // And a second lead after stepping down raises only what it missed meanwhile.
    r.die('api')
    await r.follower.engine.idle()
    await r.clock.advance(1_000)
    await r.follower.stop()
    r.die('cache')
    await r.follower.start()
    await r.follower.engine.idle()
    await r.clock.advance(1_000)
    expect(r.sink.posts.map((p) => headOf(p.reply))).toEqual([
      'api in web-1 exited with code 137',
      'cache in web-1 exited with code 137',
    ])
  })
})
