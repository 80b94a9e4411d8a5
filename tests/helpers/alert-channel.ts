/**
 * The alert channel as src/app.ts builds it (createAlerts: detectors, engine, deliveries) on the store,
 * inventory and clock the caller gives, with a RecordingSink attached for the `shell` platform. Free
 * of vitest: the alert harness builds on it, and so do the alert benchmarks (run outside vitest).
 */
import type { AlertClock } from '../../src/alerts/alert-clock.js'
import type { AlertStore } from '../../src/alerts/alert-types.js'
import { type Alerts, createAlerts } from '../../src/alerts/alerts.js'
import { alertsSchema } from '../../src/alerts/alerts-config.js'
import type { Inventory } from '../../src/core/ports.js'
import { silentLog } from '../../src/log.js'
import { RecordingSink } from './recording-sink.js'

export interface AlertChannelOptions {
  /** The `alerts` section of the config, validated here with the app's schema. */
  readonly config: Record<string, unknown>
  readonly store: AlertStore
  readonly inventory: Inventory
  readonly clock: AlertClock
}

export interface AlertChannel {
  readonly alerts: Alerts
  readonly sink: RecordingSink
}

/** Builds and starts the channel; the caller stops it (`alerts.stop()`) and closes the store. */
export function startAlertChannel(options: AlertChannelOptions): AlertChannel {
  const { clock } = options
  const alerts = createAlerts({
    config: alertsSchema.parse(options.config),
    store: options.store,
    inventory: options.inventory,
    log: silentLog,
    clock,
    commands: ['docker restart', 'docker logs'],
  })
  const sink = new RecordingSink(() => clock.now())
  alerts.attach(sink)
  // Signals queue behind the resumption: nothing here needs to wait for it.
  void alerts.start()
  return { alerts, sink }
}
