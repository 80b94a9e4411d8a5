/**
 * From signals to alerts (issue #11). One condition (key) has at most one live alert. A condition that
 * fires while its alert is live counts an occurrence and edits the message; one that fires again within
 * the re-notify interval after it resolved (or while it is muted) re-opens the same alert and edits it;
 * only later does it post a new one. A condition that flaps (many changes within the window) is not
 * called resolved until it has been stable for the window. A signal may ask to be held (a pool
 * connection must stay down a while before it is news). Routing picks destinations once, when the
 * alert is created; each destination's Delivery posts it within that destination's rate.
 *
 * Each signal is applied in the engine's turn, through its transaction `tx`, at the time it was
 * emitted. A hold or a flap window that runs out queues a turn of its own; by then a signal queued
 * before it may have settled the matter (a resolution cancelling the hold, a firing ending the
 * settling), which the turn sees because its timer is no longer the current one.
 */
import { newToken } from '../core/confirmations.js'
import type { Log } from '../log.js'
import type { AlertClock } from './alert-clock.js'
import type { AlertRecord, AlertSignal, AlertStore } from './alert-types.js'
import type { AlertsConfig } from './alerts-config.js'
import type { Deliveries } from './deliveries.js'
import { destinationsFor } from './routing.js'

type Firing = Extract<AlertSignal, { state: 'firing' }>

export interface AlertDecisionsOptions {
  readonly config: AlertsConfig
  readonly clock: AlertClock
  readonly log: Log
  readonly deliveries: Deliveries
  /** Queues a turn of its own (a hold or a flap window ran out); a failure is logged as `what`. */
  readonly later: (what: string, task: (tx: AlertStore) => Promise<void>) => void
}

/** A timer that may be cancelled; its identity tells a queued expiry whether it is still the current one. */
interface Timer {
  cancel: () => void
}

export class AlertDecisions {
  readonly #o: AlertDecisionsOptions
  /** Firings waiting out their hold time, and resolutions waiting for a flapping alert to be stable. */
  readonly #holds = new Map<string, Timer>()
  readonly #settling = new Map<string, Timer>()

  constructor(options: AlertDecisionsOptions) {
    this.#o = options
  }

  get #flapWindowMs(): number {
    return this.#o.config.flapping.withinMinutes * 60_000
  }

  cancelTimers(): void {
    for (const timer of [...this.#holds.values(), ...this.#settling.values()]) timer.cancel()
    this.#holds.clear()
    this.#settling.clear()
  }

  /** A timer for `ms` after `at` (the time of the signal, which may be a moment before its turn). */
  #setTimer(at: number, ms: number, fn: () => void): Timer {
    const { clock } = this.#o
    return { cancel: clock.setTimer(Math.max(0, at + ms - clock.now()), fn) }
  }

  /** Applies `signal`, emitted at `at`, in the engine's turn `tx`. */
  async apply(tx: AlertStore, signal: AlertSignal, at: number): Promise<void> {
    if (signal.state === 'resolved') {
      await this.#resolve(tx, signal.key, signal.resolution, at)
      return
    }
    if (signal.holdMs && !(await tx.live(signal.key))) {
      if (this.#holds.has(signal.key)) return
      const hold = this.#setTimer(at, signal.holdMs, () => {
        const due = this.#o.clock.now()
        this.#o.later('raising a held alert failed', async (tx) => {
          // A resolution applied before this turn has cancelled the hold: the condition cleared in time.
          if (this.#holds.get(signal.key) !== hold) return
          this.#holds.delete(signal.key)
          await this.#fire(tx, signal, due)
        })
      })
      this.#holds.set(signal.key, hold)
      return
    }
    await this.#fire(tx, signal, at)
  }

  async #fire(tx: AlertStore, signal: Firing, now: number): Promise<void> {
    const { config } = this.#o
    const settling = this.#settling.get(signal.key)
    settling?.cancel()
    this.#settling.delete(signal.key)
    const facts = { title: signal.title, detail: signal.detail, severity: signal.severity, lastAt: now }
    // The newest alert of the condition is its live one, if it has one (one query: storms are many).
    const latest = await tx.latest(signal.key)
    if (latest && latest.state !== 'resolved') {
      const changes = settling ? this.#changes(latest, now) : latest.changes
      const updated = await tx.update(latest.id, { ...facts, occurrences: latest.occurrences + 1, changes })
      await this.#changed(tx, updated, true, now)
      return
    }
    const renotifyMs = config.renotifyMinutes * 60_000
    if (latest && ((await tx.muted(signal.key, now)) || now - latest.notifiedAt < renotifyMs)) {
      const reopened = await tx.update(latest.id, {
        ...facts,
        state: 'open',
        occurrences: latest.occurrences + 1,
        changes: this.#changes(latest, now),
        resolution: undefined,
        resolvedAt: undefined,
        ackedBy: undefined,
        ackedAt: undefined,
        restart: undefined,
      })
      await this.#changed(tx, reopened, true, now)
      return
    }
    const destinations = destinationsFor(config, signal)
    const alert = await tx.create(
      {
        id: newToken(8),
        key: signal.key,
        kind: signal.kind,
        severity: signal.severity,
        state: 'open',
        subject: signal.subject,
        title: signal.title,
        detail: signal.detail,
        occurrences: 1,
        changes: [now],
        firstAt: now,
        lastAt: now,
        notifiedAt: now,
      },
      destinations,
    )
    this.#o.log.info({ alert: alert.id, key: alert.key, destinations }, 'alert raised')
    for (const destination of destinations) await (await this.#o.deliveries.open(destination, tx)).post(alert, tx, now)
  }

  async #resolve(tx: AlertStore, key: string, resolution: string, now: number): Promise<void> {
    const hold = this.#holds.get(key)
    if (hold) {
      hold.cancel()
      this.#holds.delete(key)
      this.#o.log.info({ key, resolution }, 'a condition cleared within its hold time: no alert')
    }
    const live = await tx.live(key)
    if (!live || this.#settling.has(key)) return
    const changes = this.#changes(live, now)
    if (changes.length < this.#o.config.flapping.changes) {
      await this.#finish(tx, key, resolution, now)
      return
    }
    // Flapping: say so now, and resolved only once it has stayed clear for a whole window.
    await this.#changed(tx, await tx.update(live.id, { changes }), false, now)
    const settle = this.#setTimer(now, this.#flapWindowMs, () => {
      const due = this.#o.clock.now()
      this.#o.later('resolving a flapping alert failed', async (tx) => {
        // It fired again before this turn: it is not stable, and that firing cancelled this.
        if (this.#settling.get(key) !== settle) return
        await this.#finish(tx, key, resolution, due)
        this.#settling.delete(key)
      })
    })
    this.#settling.set(key, settle)
  }

  async #finish(tx: AlertStore, key: string, resolution: string, now: number): Promise<void> {
    const live = await tx.live(key)
    if (!live) return
    const changes = this.#settling.has(key) ? live.changes : this.#changes(live, now)
    const resolved = await tx.update(live.id, { state: 'resolved', resolvedAt: now, resolution, changes })
    await this.#changed(tx, resolved, false, now)
  }

  /** The alert's recent changes with one more at `now` (older than the flap window forgotten). */
  #changes(alert: AlertRecord, now: number): number[] {
    return [...alert.changes.filter((t) => now - t < this.#flapWindowMs), now]
  }

  async #changed(tx: AlertStore, alert: AlertRecord, event: boolean, now: number): Promise<void> {
    await this.#o.deliveries.changed(tx, alert, event, now)
  }
}
