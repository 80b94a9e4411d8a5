/**
 * The container deaths a replica saw in its own inventory, for when it takes the lead (issue #15).
 *
 * Only the leader's alert channel turns inventory changes into alerts, and a new leader's channel
 * starts from what its pools show then (a baseline, as at a bot's start). So a death the old leader
 * never got to store — one that happened between its last heartbeat and the takeover, or one still
 * queued in a leader that was killed — would be nobody's alert. Every replica keeps its own inventory
 * up to date, so it has seen those deaths: on taking over it raises each recent death whose container
 * is still down and has no unresolved alert, the way the container detector would have.
 *
 * Recent means within `windowMs` before the takeover: the deaths the old leader may have missed are
 * the last few seconds' (the lease's ttl + renew, plus its queue). An older death with no alert is one
 * the old leader chose not to raise — a `docker stop` it ran itself is an expected change only in its
 * own memory — and raising it on every failover would be noise.
 */
import type { Container, Inventory, InventoryChange, VmSummary } from '../core/ports.js'
import type { Log } from '../log.js'
import type { AlertClock } from './alert-clock.js'
import type { AlertEngine } from './alert-engine.js'
import { containerKey } from './alert-subject.js'
import { ContainerDetector, phaseOf } from './container-detector.js'
import type { ExpectedChangeRegistry } from './expected-changes.js'

export interface MissedDeathsOptions {
  /** This replica's inventory, watched from the start whether it leads or not. */
  readonly inventory: Inventory
  readonly clock: AlertClock
  /** This replica's marks: what it changed itself is not news. */
  readonly expected: ExpectedChangeRegistry
  readonly log: Log
  /** How far back before a takeover a death may have been missed (default 30 s). */
  readonly windowMs?: number | undefined
}

interface Death {
  readonly key: string
  readonly vm: VmSummary
  readonly previous: Container
  readonly container: Container
  readonly at: number
}

export class MissedDeaths {
  readonly #o: MissedDeathsOptions
  /** Containers seen dying and still down, by their container-exited alert key. */
  readonly #down = new Map<string, Death>()
  /** Pools synced at least once: what they showed then is the baseline, as for the detectors. */
  readonly #synced = new Set<string>()

  constructor(options: MissedDeathsOptions) {
    this.#o = options
    for (const pool of options.inventory.pools()) if (pool.state === 'synced') this.#synced.add(pool.name)
    options.inventory.onChange((change) => this.#onChange(change))
  }

  /** The deaths seen within the window before now, still down (taken before the new channel listens). */
  recent(): Death[] {
    const since = this.#o.clock.now() - (this.#o.windowMs ?? 30_000)
    return [...this.#down.values()].filter((d) => d.at >= since)
  }

  /**
   * Raises, through `engine` (the channel just started), each of `deaths` still down with no unresolved
   * alert: in the engine's turn, after the stored alerts were resumed and the signals queued before.
   */
  async raise(engine: AlertEngine, deaths: readonly Death[]): Promise<void> {
    const pools = new Set(deaths.map((d) => d.vm.pool))
    let raised = 0
    for (const pool of pools) {
      await engine.withUnresolved(pool, (open) => {
        const alerted = new Set(open.map((a) => a.key))
        // The container detector builds the signal (title, severity, the expected-change check);
        // emitted inside withUnresolved, it is applied in this turn. Only exits are replayed, so the
        // restart-loop settings are not used.
        const detector = new ContainerDetector(
          {
            clock: this.#o.clock,
            expected: this.#o.expected,
            inventory: this.#o.inventory,
            log: this.#o.log,
            emit: (signal) => {
              raised++
              void engine.signal(signal)
            },
            watching: () => true,
            withUnresolved: () => undefined,
          },
          { restarts: Number.POSITIVE_INFINITY, windowMs: 60_000 },
        )
        const shown = new Map(this.#o.inventory.vms({ pool }).map((vm) => [vm.uuid, vm.docker.containers]))
        for (const death of deaths) {
          if (death.vm.pool !== pool || alerted.has(death.key) || !this.#down.has(death.key)) continue
          // Still down as the inventory shows it now (a reconcile may just have found it removed).
          const now = shown.get(death.vm.uuid)?.find((c) => c.id === death.container.id)
          if (!now || phaseOf(now) !== 'exited') continue
          detector.onChange({
            kind: 'container-changed',
            vm: death.vm,
            previous: death.previous,
            container: death.container,
          })
        }
      })
    }
    if (raised > 0) this.#o.log.warn({ raised }, 'raised the container deaths no leader had alerted (a takeover)')
  }

  #onChange(change: InventoryChange): void {
    switch (change.kind) {
      case 'pool-status':
        if (change.status.state === 'synced') this.#synced.add(change.status.name)
        return
      case 'container-changed': {
        const { vm, previous, container } = change
        const key = containerKey('container-exited', vm, container)
        if (phaseOf(container) !== 'exited') this.#down.delete(key)
        else if (this.#synced.has(vm.pool) && phaseOf(previous) !== 'exited')
          this.#down.set(key, { key, vm, previous, container, at: this.#o.clock.now() })
        return
      }
      case 'container-vanished':
        this.#down.delete(containerKey('container-exited', change.vm, change.container))
        return
      case 'vm-changed':
      case 'vm-removed': {
        const gone = change.kind === 'vm-removed'
        const listed = change.vm.docker.containers
        for (const [key, death] of this.#down) {
          if (death.vm.pool !== change.vm.pool || death.vm.uuid !== change.vm.uuid) continue
          // A list that came back without the container, or with it up again: not down any more.
          const now = listed?.find((c) => c.id === death.container.id)
          if (gone || (listed && (!now || phaseOf(now) !== 'exited'))) this.#down.delete(key)
        }
        return
      }
    }
  }
}
