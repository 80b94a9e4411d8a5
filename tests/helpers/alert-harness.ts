/**
 * The alert channel alone, driven through the Inventory port (faked at that interface): the real
 * detectors, engine, deliveries and SQLite store, a ManualClock, and a RecordingSink. For what the
 * simulator cannot produce fast enough (ten thousand container deaths in ten seconds) or at all (an
 * exact clock time for quiet hours), and for the delivery rules on their own.
 */
import { afterEach } from 'vitest'
import { type Alerts, createAlerts } from '../../src/alerts/alerts.js'
import { alertsSchema } from '../../src/alerts/alerts-config.js'
import type { Container, Inventory, InventoryChange, PoolStatus, VmLookup, VmSummary } from '../../src/core/ports.js'
import { silentLog } from '../../src/log.js'
import { ManualClock } from '../../src/sim/clock.js'
import { openStore, type Store } from '../../src/store/open-store.js'
import { RecordingSink } from './alert-bot.js'

/** The Inventory port over a list the test changes, announcing each change as the real one would. */
export class FakeInventory implements Inventory {
  readonly #listeners = new Set<(change: InventoryChange) => void>()
  readonly #pools = new Map<string, PoolStatus>()
  readonly #vms = new Map<string, VmSummary>()

  pools(): readonly PoolStatus[] {
    return [...this.#pools.values()]
  }

  vms(filter?: { readonly pool?: string | undefined }): readonly VmSummary[] {
    return [...this.#vms.values()].filter((v) => filter?.pool === undefined || v.pool === filter.pool)
  }

  findVm(query: string): VmLookup {
    const vm = [...this.#vms.values()].find((v) => v.uuid === query || v.name === query)
    return vm ? { kind: 'found', vm } : { kind: 'not-found' }
  }

  onChange(listener: (change: InventoryChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  emit(change: InventoryChange): void {
    if (change.kind === 'pool-status') this.#pools.set(change.status.name, change.status)
    if ('vm' in change && change.kind !== 'vm-removed') this.#vms.set(change.vm.uuid, change.vm)
    for (const listener of this.#listeners) listener(change)
  }

  synced(pool: string): void {
    this.emit({ kind: 'pool-status', status: { name: pool, state: 'synced', since: 0 } })
  }
}

const stateOf = (status: string) =>
  status.startsWith('Up') ? 'running' : status.startsWith('Exited') ? 'exited' : 'restarting'

export function container(name: string, index: number, status = 'Up'): Container {
  const id = index.toString(16).padStart(64, 'c')
  return {
    id,
    key: id.slice(0, 10),
    name,
    image: 'alpine:3.19',
    command: '/bin/sh',
    state: stateOf(status),
    status,
    created: '0',
    ports: [],
    labels: {},
  }
}

/** The same container with another status: `Up`, `Exited (137)`, `Restarting (1) 2 seconds ago`. */
export const withStatus = (c: Container, status: string): Container => ({ ...c, status, state: stateOf(status) })

export function vm(pool: string, name: string, index: number, containers: readonly Container[] = []): VmSummary {
  return {
    pool,
    uuid: `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
    name,
    power: 'running',
    tags: [],
    docker: { monitor: 'enabled', backend: { kind: 'xscontainer', reason: 'test' }, containers },
  }
}

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
    const alerts = createAlerts({
      config: alertsSchema.parse(config),
      store: store.alerts,
      inventory,
      log: silentLog,
      clock,
      commands: ['docker restart', 'docker logs'],
    })
    stops.push(() => alerts.stop())
    const sink = new RecordingSink(() => clock.now())
    alerts.attach(sink)
    // Signals queue behind the resumption: nothing here needs to wait for it.
    void alerts.start()
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
