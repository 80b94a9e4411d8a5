/**
 * A detector turns inventory changes into alert signals for its kinds of conditions. It fires only on
 * changes seen while it watches a pool (after the pool's first sync since the bot started): what a pool
 * looks like at start-up is the baseline, for `/xen doctor` to report, not news. After each sync it
 * reconciles the open alerts of its kinds with what the pool shows now, so an alert whose condition
 * ended while the bot was away or disconnected is resolved rather than left open forever.
 */
import type { Inventory, InventoryChange } from '../core/ports.js'
import type { Log } from '../log.js'
import type { AlertClock } from './alert-clock.js'
import type { AlertRecord, AlertSignal } from './alert-types.js'
import type { ExpectedChangeRegistry } from './expected-changes.js'

export interface DetectorContext {
  readonly clock: AlertClock
  readonly expected: ExpectedChangeRegistry
  readonly inventory: Inventory
  readonly log: Log
  emit(signal: AlertSignal): void
  /** Whether the pool has synced since the bot started (what came before is the baseline). */
  watching(pool: string): boolean
  /**
   * Calls `fn` with the alerts still open or acknowledged in `pool`, as they stand once every signal
   * emitted before this call has been applied (the store answers asynchronously, so `fn` runs later);
   * the signals `fn` emits take the place of this call among the others.
   */
  withUnresolved(pool: string, fn: (open: readonly AlertRecord[]) => void): void
}

export interface Detector {
  onChange(change: InventoryChange): void
  /** The pool just synced: resolve (or re-arm) its open alerts of this detector's kinds. */
  reconcile(pool: string, open: readonly AlertRecord[]): void
  stop?(): void
}

/** Resolves each alert of `open` whose kind is `kind` and for which `gone` names a resolution. */
export function resolveEach(
  ctx: DetectorContext,
  open: readonly AlertRecord[],
  kinds: readonly AlertRecord['kind'][],
  gone: (alert: AlertRecord) => string | undefined,
): void {
  for (const alert of open) {
    if (!kinds.includes(alert.kind)) continue
    const resolution = gone(alert)
    if (resolution) ctx.emit({ state: 'resolved', key: alert.key, resolution })
  }
}
