/**
 * The alert channel alone, driven through the Inventory port (faked at that interface): the real
 * detectors, engine, deliveries and SQLite store, a ManualClock, and a RecordingSink. For what the
 * simulator cannot produce fast enough (ten thousand container deaths in ten seconds) or at all (an
 * exact clock time for quiet hours), and for the delivery rules on their own.
 */
import { afterEach } from 'vitest'
import type { Alerts } from '../../src/alerts/alerts.js'
import { ManualClock } from '../../src/sim/clock.js'
import { openStore, type Store } from '../../src/store/open-store.js'
import { startAlertChannel } from './alert-channel.js'
import { FakeInventory } from './fake-inventory.js'
import type { RecordingSink } from './recording-sink.js'

export { container, FakeInventory, vm, withStatus } from './fake-inventory.js'

export interface Harness {
  readonly clock: ManualClock
  readonly inventory: FakeInventory
  readonly store: Store
  readonly sink: RecordingSink
  readonly alerts: Alerts
  /** Stops the alerts and builds them again on the same store (a restart of the bot, minus the disk). */
  restart(): Promise<Harness>
}

const stops: (() => unknown)[] = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

export function startHarness(config: Record<string, unknown>, start = Date.UTC(2026, 0, 5, 12, 0)): Harness {
  const clock = new ManualClock(start)
  // In memory: the same schema and statements as on disk, without a storm's disk writes (the scenario
  // tests in tests/alerts use the on-disk store; durability is tested there).
  const store = openStore({ memory: true })
  stops.push(() => store.close())
  const inventory = new FakeInventory()
  const build = (): Harness => {
    const { alerts, sink } = startAlertChannel({ config, store: store.alerts, inventory, clock })
    stops.push(() => alerts.stop())
    return {
      clock,
      inventory,
      store,
      sink,
      alerts,
      restart: async () => {
        await alerts.stop()
        return build()
      },
    }
  }
  return build()
}
