/**
 * The alert channel as the app wires it: the detectors listen to the inventory, the engine decides,
 * each destination delivers through the sink of its platform (attached by the adapters as they start),
 * and the alert buttons are answered through the dispatcher. Started before the Xen layer, so the
 * first sync of each pool is seen (as the baseline) and the alerts left open by a previous run are
 * reconciled with it.
 */
import type { AlertSink } from '../core/alert-sink.js'
import type { Doctor } from '../core/doctor-port.js'
import type { Inventory, InventoryChange } from '../core/ports.js'
import type { PressHandler } from '../core/press-handler.js'
import type { Log } from '../log.js'
import { type AlertClock, systemClock } from './alert-clock.js'
import { AlertEngine } from './alert-engine.js'
import { alertPresses } from './alert-presses.js'
import type { AlertStore } from './alert-types.js'
import type { AlertsConfig } from './alerts-config.js'
import { ContainerDetector } from './container-detector.js'
import type { Detector, DetectorContext } from './detector.js'
import { ExpectedChangeRegistry } from './expected-changes.js'
import { doctorHostCheck } from './host-check.js'
import { PoolDetector } from './pool-detector.js'
import { VmDetector } from './vm-detector.js'

export interface AlertsOptions {
  readonly config: AlertsConfig
  readonly store: AlertStore
  readonly inventory: Inventory
  readonly log: Log
  readonly clock?: AlertClock | undefined
  /** Shared with the governance layer and the Docker backend, which mark what the bot changes itself. */
  readonly expected?: ExpectedChangeRegistry | undefined
  /** Checks hosts that join a pool (the xscontainer pack, the version). */
  readonly doctor?: Doctor | undefined
  /** The command paths the bot has: the Restart and Logs buttons appear only when their commands exist. */
  readonly commands: readonly string[]
}

export interface Alerts {
  readonly engine: AlertEngine
  readonly expected: ExpectedChangeRegistry
  readonly presses: PressHandler
  /** A chat platform's sink: alerts for its destinations go out through it from now on. */
  attach(sink: AlertSink): void
  /**
   * Starts watching; resolves once the alerts a previous run left are resumed (waiting is optional:
   * the signals that follow queue behind it).
   */
  start(): Promise<void>
  /** Stops watching; resolves once what was under way is stored (then the store may close). */
  stop(): Promise<void>
}

export function createAlerts(options: AlertsOptions): Alerts {
  const { config, inventory } = options
  const clock = options.clock ?? systemClock
  const log = options.log.child({ component: 'alerts' })
  const expected = options.expected ?? new ExpectedChangeRegistry(clock)
  const engine = new AlertEngine({
    config,
    store: options.store,
    clock,
    log,
    buttons: { restart: options.commands.includes('docker restart'), logs: options.commands.includes('docker logs') },
  })
  const watching = new Set<string>()
  const ctx: DetectorContext = {
    clock,
    expected,
    inventory,
    log,
    // The engine logs a signal that fails; a detector has nothing to do about it.
    emit: (signal) => {
      void engine.signal(signal)
    },
    watching: (pool) => watching.has(pool),
    withUnresolved: (pool, fn) => {
      void engine.withUnresolved(pool, fn)
    },
  }
  const detectors: Detector[] = [
    new PoolDetector(ctx, {
      graceMs: config.poolGraceSeconds * 1000,
      hostCheck: options.doctor && doctorHostCheck(options.doctor),
    }),
    new VmDetector(ctx),
    new ContainerDetector(ctx, {
      restarts: config.restartLoop.restarts,
      windowMs: config.restartLoop.withinMinutes * 60_000,
    }),
  ]
  const synced = (pool: string) => {
    watching.add(pool)
    void engine.withUnresolved(pool, (open) => {
      for (const detector of detectors) detector.reconcile(pool, open)
    })
  }
  const onChange = (change: InventoryChange) => {
    for (const detector of detectors) detector.onChange(change)
    if (change.kind === 'pool-status' && change.status.state === 'synced') synced(change.status.name)
  }
  let unsubscribe: (() => void) | undefined
  return {
    engine,
    expected,
    presses: alertPresses(engine),
    attach: (sink) => engine.attach(sink),
    start: async () => {
      if (unsubscribe) return
      // Queued first: every signal from here on is applied after it.
      const resumed = engine.resume()
      unsubscribe = inventory.onChange(onChange)
      for (const pool of inventory.pools()) if (pool.state === 'synced') synced(pool.name)
      await resumed
    },
    stop: async () => {
      unsubscribe?.()
      unsubscribe = undefined
      for (const detector of detectors) detector.stop?.()
      await engine.stop()
    },
  }
}
