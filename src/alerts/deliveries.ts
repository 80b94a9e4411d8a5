/**
 * The engine's deliveries, one per destination (platform and channel), and the chat sinks they post
 * through, attached by the adapters as they start. A delivery is opened the first time an alert goes to
 * its destination (or at start-up, for the configured ones), inside the engine's turn: only one task
 * opens deliveries at a time, so no destination ever gets two.
 */
import type { AlertSink } from '../core/alert-sink.js'
import type { Reply } from '../core/reply.js'
import type { Log } from '../log.js'
import type { AlertClock } from './alert-clock.js'
import { alertMessage, digestMessage } from './alert-message.js'
import type { AlertDestinationKey, AlertPost, AlertRecord, AlertStore } from './alert-types.js'
import type { AlertsConfig } from './alerts-config.js'
import { Delivery } from './delivery.js'

export interface DeliveriesOptions {
  readonly config: AlertsConfig
  /** The store itself, for what deliveries do on their own time (render, store a message id). */
  readonly store: AlertStore
  readonly clock: AlertClock
  readonly log: Log
  readonly buttons: { readonly restart: boolean; readonly logs: boolean }
}

const destinationId = (d: AlertDestinationKey) => `${d.platform}\u0000${d.channel}`

/** Whether the alert changed often enough within the flap window to be called flapping. */
export function isFlapping(config: AlertsConfig, alert: AlertRecord, now: number): boolean {
  const recent = alert.changes.filter((t) => now - t < config.flapping.withinMinutes * 60_000)
  return alert.state !== 'resolved' && recent.length >= config.flapping.changes
}

export class Deliveries {
  readonly #o: DeliveriesOptions
  readonly #sinks = new Map<string, AlertSink>()
  readonly #deliveries = new Map<string, Delivery>()

  constructor(options: DeliveriesOptions) {
    this.#o = options
  }

  attach(sink: AlertSink): void {
    this.#sinks.set(sink.platform, sink)
    for (const [id, delivery] of this.#deliveries) if (id.startsWith(`${sink.platform}\u0000`)) delivery.resume()
  }

  /** The destination's delivery, opened through `tx` (the engine's turn) the first time. */
  async open(destination: AlertDestinationKey | AlertPost, tx: AlertStore): Promise<Delivery> {
    const id = destinationId(destination)
    const known = this.#deliveries.get(id)
    if (known) return known
    const { store, clock, log, config } = this.#o
    const delivery = await Delivery.open(
      {
        destination: { platform: destination.platform, channel: destination.channel },
        store,
        clock,
        log,
        intervalMs: 1000 / config.ratePerSecond,
        quiet: config.quietHours,
        sink: () => this.#sinks.get(destination.platform),
        render: (alertId) => this.#render(alertId),
        renderDigest: async (digest) =>
          digestMessage(digest, await store.digestAlerts(digest.id), config.ratePerSecond),
      },
      tx,
    )
    this.#deliveries.set(id, delivery)
    return delivery
  }

  /** The alert changed in the engine's turn `tx`: each destination it went to shows it (`event`: it fired again). */
  async changed(tx: AlertStore, alert: AlertRecord, event: boolean, now: number): Promise<void> {
    for (const post of await tx.posts(alert.id)) {
      await (await this.open(post, tx)).changed(alert, post, event, tx, now)
    }
  }

  /** Stops every delivery opened so far; resolves once their own writes have ended. */
  async stop(): Promise<void> {
    await Promise.all([...this.#deliveries.values()].map((d) => d.stop()))
  }

  async idle(): Promise<void> {
    await Promise.all([...this.#deliveries.values()].map((d) => d.idle()))
  }

  /** The alert's message as it reads now, from what is committed (a delivery renders outside any signal). */
  async #render(id: string): Promise<Reply | undefined> {
    const { store, clock, config, buttons } = this.#o
    const alert = await store.get(id)
    if (!alert) return undefined
    const now = clock.now()
    const muted = await store.muted(alert.key, now)
    return alertMessage({ alert, now, muted, flapping: isFlapping(config, alert, now), buttons })
  }
}
