/**
 * From signals to alerts (issue #11). One condition (key) has at most one live alert. A condition that
 * fires while its alert is live counts an occurrence and edits the message; one that fires again within
 * the re-notify interval after it resolved (or while it is muted) re-opens the same alert and edits it;
 * only later does it post a new one. A condition that flaps (many changes within the window) is not
 * called resolved until it has been stable for the window. A signal may ask to be held (a pool
 * connection must stay down a while before it is news). Routing picks destinations once, when the
 * alert is created; each destination's Delivery posts it within that destination's rate.
 */
import type { AlertSink } from '../core/alert-sink.js'
import { newToken } from '../core/confirmations.js'
import type { Reply } from '../core/reply.js'
import type { Log } from '../log.js'
import type { AlertClock } from './alert-clock.js'
import { alertMessage, digestMessage } from './alert-message.js'
import type { AlertDestinationKey, AlertPost, AlertRecord, AlertSignal, AlertStore } from './alert-types.js'
import type { AlertsConfig } from './alerts-config.js'
import { Delivery } from './delivery.js'
import { destinationsFor } from './routing.js'

type Firing = Extract<AlertSignal, { state: 'firing' }>

export interface AlertEngineOptions {
  readonly config: AlertsConfig
  readonly store: AlertStore
  readonly clock: AlertClock
  readonly log: Log
  /** Which container buttons the bot can answer (the commands they run exist). */
  readonly buttons: { readonly restart: boolean; readonly logs: boolean }
}

export type AckOutcome =
  | { readonly kind: 'acknowledged'; readonly alert: AlertRecord }
  | { readonly kind: 'not-open'; readonly alert: AlertRecord }
  | { readonly kind: 'unknown' }

/** How long a resolved alert is kept (its message can still be edited if the condition fires again). */
export const RETENTION_MS = 30 * 24 * 60 * 60_000

const destinationId = (d: AlertDestinationKey) => `${d.platform}\u0000${d.channel}`

export class AlertEngine {
  readonly #o: AlertEngineOptions
  readonly #sinks = new Map<string, AlertSink>()
  readonly #deliveries = new Map<string, Delivery>()
  /** Firings waiting out their hold time, and resolutions waiting for a flapping alert to be stable. */
  readonly #holds = new Map<string, () => void>()
  readonly #settling = new Map<string, () => void>()
  #stopped = false

  constructor(options: AlertEngineOptions) {
    this.#o = options
  }

  get #flapWindowMs(): number {
    return this.#o.config.flapping.withinMinutes * 60_000
  }

  /**
   * Start-up: alerts resolved long ago are forgotten, the configured destinations pick up their open
   * digests, and stored posts never sent go out.
   */
  resume(): void {
    const { config, store } = this.#o
    const pruned = store.prune(this.#o.clock.now() - RETENTION_MS)
    if (pruned > 0) this.#o.log.info({ pruned }, 'forgot alerts resolved more than 30 days ago')
    for (const destination of [config.default, ...config.rules.flatMap((r) => r.to)]) this.#delivery(destination)
    for (const post of store.pendingPosts()) {
      const alert = store.get(post.alertId)
      if (alert) this.#delivery(post).post(alert)
    }
  }

  attach(sink: AlertSink): void {
    this.#sinks.set(sink.platform, sink)
    for (const [id, delivery] of this.#deliveries) if (id.startsWith(`${sink.platform}\u0000`)) delivery.resume()
  }

  stop(): void {
    this.#stopped = true
    for (const cancel of [...this.#holds.values(), ...this.#settling.values()]) cancel()
    this.#holds.clear()
    this.#settling.clear()
    for (const delivery of this.#deliveries.values()) delivery.stop()
  }

  signal(signal: AlertSignal): void {
    if (this.#stopped) return
    this.#o.store.atomically(() => this.#signal(signal))
  }

  #signal(signal: AlertSignal): void {
    if (signal.state === 'resolved') {
      this.#resolve(signal.key, signal.resolution)
      return
    }
    if (signal.holdMs && !this.#o.store.live(signal.key)) {
      if (this.#holds.has(signal.key)) return
      const cancel = this.#o.clock.setTimer(signal.holdMs, () => {
        this.#holds.delete(signal.key)
        this.#o.store.atomically(() => this.#fire(signal))
      })
      this.#holds.set(signal.key, cancel)
      return
    }
    this.#fire(signal)
  }

  get(id: string): AlertRecord | undefined {
    return this.#o.store.get(id)
  }

  unresolved(pool?: string): AlertRecord[] {
    return this.#o.store.unresolved().filter((a) => pool === undefined || a.subject.pool === pool)
  }

  acknowledge(id: string, by: string): AckOutcome {
    const alert = this.#o.store.get(id)
    if (!alert) return { kind: 'unknown' }
    const acked = this.#o.store.acknowledge(id, by, this.#o.clock.now())
    if (!acked) return { kind: 'not-open', alert }
    this.#changed(acked, false)
    return { kind: 'acknowledged', alert: acked }
  }

  /** Mutes the alert's condition: later firings edit this alert instead of posting, until `ms` from now. */
  mute(id: string, by: string, ms: number): { readonly alert: AlertRecord; readonly until: number } | undefined {
    const alert = this.#o.store.get(id)
    if (!alert) return undefined
    const until = this.#o.clock.now() + ms
    this.#o.store.mute(alert.key, until, by)
    this.#changed(alert, false)
    return { alert, until }
  }

  /** Claims the alert's one restart for `by`; false when one was already asked (a restart runs once). */
  claimRestart(id: string, by: string): boolean {
    return this.#o.store.claimRestart(id, by, this.#o.clock.now())
  }

  /** The claimed restart was asked (for approval when `approval` is set), or nothing came of it (`asked` false). */
  restartOutcome(id: string, asked: boolean, approval?: string): void {
    const alert = this.#o.store.get(id)
    if (!alert?.restart) return
    const restart = asked ? { ...alert.restart, approval } : undefined
    this.#changed(this.#o.store.update(id, { restart }), false)
  }

  #fire(signal: Firing): void {
    const { store, clock, config } = this.#o
    const now = clock.now()
    const settling = this.#settling.get(signal.key)
    settling?.()
    this.#settling.delete(signal.key)
    const facts = { title: signal.title, detail: signal.detail, severity: signal.severity, lastAt: now }
    // The newest alert of the condition is its live one, if it has one (one query: storms are many).
    const latest = store.latest(signal.key)
    if (latest && latest.state !== 'resolved') {
      const changes = settling ? this.#changes(latest, now) : latest.changes
      this.#changed(store.update(latest.id, { ...facts, occurrences: latest.occurrences + 1, changes }), true)
      return
    }
    const renotifyMs = config.renotifyMinutes * 60_000
    if (latest && (store.muted(signal.key, now) || now - latest.notifiedAt < renotifyMs)) {
      const reopened = store.update(latest.id, {
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
      this.#changed(reopened, true)
      return
    }
    const destinations = destinationsFor(config, signal)
    const alert = store.create(
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
    for (const destination of destinations) this.#delivery(destination).post(alert)
  }

  #resolve(key: string, resolution: string): void {
    const hold = this.#holds.get(key)
    if (hold) {
      hold()
      this.#holds.delete(key)
      this.#o.log.info({ key, resolution }, 'a condition cleared within its hold time: no alert')
    }
    const live = this.#o.store.live(key)
    if (!live || this.#settling.has(key)) return
    const now = this.#o.clock.now()
    const changes = this.#changes(live, now)
    if (changes.length < this.#o.config.flapping.changes) {
      this.#finish(key, resolution)
      return
    }
    // Flapping: say so now, and resolved only once it has stayed clear for a whole window.
    this.#changed(this.#o.store.update(live.id, { changes }), false)
    const cancel = this.#o.clock.setTimer(this.#flapWindowMs, () => {
      this.#finish(key, resolution)
      this.#settling.delete(key)
    })
    this.#settling.set(key, cancel)
  }

  #finish(key: string, resolution: string): void {
    const live = this.#o.store.live(key)
    if (!live) return
    const now = this.#o.clock.now()
    const changes = this.#settling.has(key) ? live.changes : this.#changes(live, now)
    this.#changed(this.#o.store.update(live.id, { state: 'resolved', resolvedAt: now, resolution, changes }), false)
  }

  /** The alert's recent changes with one more at `now` (older than the flap window forgotten). */
  #changes(alert: AlertRecord, now: number): number[] {
    return [...alert.changes.filter((t) => now - t < this.#flapWindowMs), now]
  }

  #flapping(alert: AlertRecord, now: number): boolean {
    const recent = alert.changes.filter((t) => now - t < this.#flapWindowMs)
    return alert.state !== 'resolved' && recent.length >= this.#o.config.flapping.changes
  }

  #changed(alert: AlertRecord, event: boolean): void {
    for (const post of this.#o.store.posts(alert.id)) this.#delivery(post).changed(alert, post, event)
  }

  #delivery(destination: AlertDestinationKey | AlertPost): Delivery {
    const id = destinationId(destination)
    const known = this.#deliveries.get(id)
    if (known) return known
    const { store, clock, log, config } = this.#o
    const delivery = new Delivery({
      destination: { platform: destination.platform, channel: destination.channel },
      store,
      clock,
      log,
      intervalMs: 1000 / config.ratePerSecond,
      quiet: config.quietHours,
      sink: () => this.#sinks.get(destination.platform),
      render: (alertId) => this.#render(alertId),
      renderDigest: (digest) => digestMessage(digest, store.digestAlerts(digest.id), config.ratePerSecond),
    })
    this.#deliveries.set(id, delivery)
    return delivery
  }

  #render(id: string): Reply | undefined {
    const alert = this.#o.store.get(id)
    if (!alert) return undefined
    const now = this.#o.clock.now()
    const muted = this.#o.store.muted(alert.key, now)
    return alertMessage({ alert, now, muted, flapping: this.#flapping(alert, now), buttons: this.#o.buttons })
  }
}
