/**
 * The alert channel's core (issue #11): signals in, alerts decided (src/alerts/alert-decisions.ts),
 * each destination's Delivery posting them within its rate, and the presses that change an alert.
 *
 * The store answers asynchronously (PostgreSQL is across a socket), so the engine takes turns: every
 * signal, and every press that changes an alert (acknowledge, mute, the restart claim), runs in one
 * queue, one at a time, each as one transaction whose reads and writes all go through its `tx`. So the
 * order of events is the order of their effects, as when the store answered at once, and one event's
 * writes never interleave with the next one's. A signal is applied at the time it was emitted, not the
 * time its turn came.
 */
import type { AlertSink } from '../core/alert-sink.js'
import type { Log } from '../log.js'
import type { AlertClock } from './alert-clock.js'
import { AlertDecisions } from './alert-decisions.js'
import type { AlertRecord, AlertSignal, AlertStore } from './alert-types.js'
import type { AlertsConfig } from './alerts-config.js'
import { Deliveries } from './deliveries.js'
import { SerialQueue } from './serial-queue.js'

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

export class AlertEngine {
  readonly #o: AlertEngineOptions
  readonly #deliveries: Deliveries
  readonly #decisions: AlertDecisions
  /** Signals and the presses that change alerts, one at a time, each in its own transaction. */
  readonly #queue = new SerialQueue()
  /** While a `withUnresolved` callback runs: the signals it emits, applied in its turn. */
  #inline: AlertSignal[] | undefined
  #stopped = false

  constructor(options: AlertEngineOptions) {
    this.#o = options
    this.#deliveries = new Deliveries(options)
    this.#decisions = new AlertDecisions({
      ...options,
      deliveries: this.#deliveries,
      later: (what, task) => {
        void this.#quietly(what, task)
      },
    })
  }

  /**
   * Start-up: alerts resolved long ago are forgotten, the configured destinations pick up their open
   * digests, and stored posts never sent go out. It takes the first turn, before any signal.
   */
  resume(): Promise<void> {
    const at = this.#o.clock.now()
    return this.#quietly('resuming the stored alerts failed', async (tx) => {
      const { config, log } = this.#o
      const pruned = await tx.prune(at - RETENTION_MS)
      if (pruned > 0) log.info({ pruned }, 'forgot alerts resolved more than 30 days ago')
      for (const destination of [config.default, ...config.rules.flatMap((r) => r.to)]) {
        await this.#deliveries.open(destination, tx)
      }
      for (const post of await tx.pendingPosts()) {
        const alert = await tx.get(post.alertId)
        if (alert) await (await this.#deliveries.open(post, tx)).post(alert, tx, at)
      }
    })
  }

  attach(sink: AlertSink): void {
    this.#deliveries.attach(sink)
  }

  /**
   * Takes no more signals and posts nothing more; resolves once the signals already queued have been
   * applied and the deliveries' own writes have ended (then the store may close).
   */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#decisions.cancelTimers()
    const stopping = this.#deliveries.stop()
    await this.#queue.idle()
    // What the last signals armed or opened while they were applied.
    this.#decisions.cancelTimers()
    await Promise.all([stopping, this.#deliveries.stop()])
  }

  /**
   * Resolves once every signal and press queued so far (and any queued meanwhile) has been applied, and
   * the deliveries have nothing under way: for tests on a manual clock, which then look at the result.
   */
  async idle(): Promise<void> {
    await this.#queue.idle()
    await this.#deliveries.idle()
    await this.#queue.idle()
  }

  /**
   * Applies `signal`, at the time of this call, once every signal before it has been applied; the
   * promise says when (it never rejects: a failure is logged, and the next signal goes on).
   */
  signal(signal: AlertSignal): Promise<void> {
    if (this.#stopped) return Promise.resolve()
    if (this.#inline) {
      this.#inline.push(signal)
      return Promise.resolve()
    }
    const at = this.#o.clock.now()
    return this.#quietly('applying an alert signal failed', (tx) => this.#decisions.apply(tx, signal, at))
  }

  /**
   * Calls `fn` with the pool's unresolved alerts as they are once every signal before this call has been
   * applied; the signals `fn` emits (synchronously) are applied right then, before any queued after.
   */
  withUnresolved(pool: string, fn: (open: readonly AlertRecord[]) => void): Promise<void> {
    if (this.#stopped) return Promise.resolve()
    const at = this.#o.clock.now()
    return this.#quietly('reconciling the unresolved alerts failed', async (tx) => {
      const open = (await tx.unresolved()).filter((a) => a.subject.pool === pool)
      const emitted: AlertSignal[] = []
      this.#inline = emitted
      try {
        fn(open)
      } finally {
        this.#inline = undefined
      }
      for (const signal of emitted) await this.#decisions.apply(tx, signal, at)
    })
  }

  get(id: string): Promise<AlertRecord | undefined> {
    return this.#o.store.get(id)
  }

  async unresolved(pool?: string): Promise<AlertRecord[]> {
    return (await this.#o.store.unresolved()).filter((a) => pool === undefined || a.subject.pool === pool)
  }

  acknowledge(id: string, by: string): Promise<AckOutcome> {
    const at = this.#o.clock.now()
    return this.#inTurn(async (tx): Promise<AckOutcome> => {
      const alert = await tx.get(id)
      if (!alert) return { kind: 'unknown' }
      const acked = await tx.acknowledge(id, by, at)
      if (!acked) return { kind: 'not-open', alert }
      await this.#changed(tx, acked, false, at)
      return { kind: 'acknowledged', alert: acked }
    })
  }

  /** Mutes the alert's condition: later firings edit this alert instead of posting, until `ms` from now. */
  mute(
    id: string,
    by: string,
    ms: number,
  ): Promise<{ readonly alert: AlertRecord; readonly until: number } | undefined> {
    const at = this.#o.clock.now()
    return this.#inTurn(async (tx) => {
      const alert = await tx.get(id)
      if (!alert) return undefined
      const until = at + ms
      await tx.mute(alert.key, until, by)
      await this.#changed(tx, alert, false, at)
      return { alert, until }
    })
  }

  /** Claims the alert's one restart for `by`; false when one was already asked (a restart runs once). */
  claimRestart(id: string, by: string): Promise<boolean> {
    const at = this.#o.clock.now()
    return this.#inTurn((tx) => tx.claimRestart(id, by, at))
  }

  /** The claimed restart was asked (for approval when `approval` is set), or nothing came of it (`asked` false). */
  restartOutcome(id: string, asked: boolean, approval?: string): Promise<void> {
    const at = this.#o.clock.now()
    return this.#inTurn(async (tx) => {
      const alert = await tx.get(id)
      if (!alert?.restart) return
      const restart = asked ? { ...alert.restart, approval } : undefined
      await this.#changed(tx, await tx.update(id, { restart }), false, at)
    })
  }

  /** Runs `task` in its turn, as one transaction; its failure is the caller's. */
  #inTurn<T>(task: (tx: AlertStore) => Promise<T>): Promise<T> {
    return this.#queue.run(() => this.#o.store.atomically(task))
  }

  /** Runs `task` in its turn, as one transaction; a failure is logged (what emitted it cannot act on it). */
  #quietly(what: string, task: (tx: AlertStore) => Promise<void>): Promise<void> {
    return this.#inTurn(task).catch((error: unknown) => this.#o.log.error({ err: error }, what))
  }

  async #changed(tx: AlertStore, alert: AlertRecord, event: boolean, now: number): Promise<void> {
    await this.#deliveries.changed(tx, alert, event, now)
  }
}
