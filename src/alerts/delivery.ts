/**
 * One destination's outbox. Every call to the sink (a post or an edit) takes a slot, and slots are at
 * least 1/rate apart (Slack allows about one message per second per channel). A few new alerts may wait
 * for a slot; beyond that, alerts fold into one digest message that is posted once and edited in place
 * as it counts them, until the storm has been quiet for a minute. Quiet hours fold the alerts they hold
 * into a digest posted when they end. Every event is either in its own message or counted in a digest,
 * and both are in the store, so nothing is dropped silently — not even when a sink refuses for good
 * (the posts stay pending and go out after a restart).
 *
 * The store answers asynchronously. What a signal does here (`post`, `changed`) is written through the
 * signal's transaction `tx`, awaited by the engine before the next signal. What the delivery writes on
 * its own time — a post's message id once the sink answered, a digest's, a storm's end — is a
 * transaction of its own that reads what it rewrites inside it, so it can neither land in the middle of
 * a signal nor put back an older copy of a digest a signal has just counted. The in-memory state (the
 * queue, the open digests) changes synchronously, before any await, so interleaved calls see each
 * other's changes whole.
 */
import { type AlertSink, AlertSinkRefused, type PostedAlert } from '../core/alert-sink.js'
import type { Reply } from '../core/reply.js'
import type { Log } from '../log.js'
import type { AlertClock } from './alert-clock.js'
import type { AlertDestinationKey, AlertPost, AlertRecord, AlertStore, DigestRecord } from './alert-types.js'
import type { QuietHours } from './alerts-config.js'
import { counted, newDigest } from './digest-count.js'
import { type Op, Outbox } from './outbox.js'
import { heldByQuietHours, quietRemainingMs } from './routing.js'

/** New alerts that may wait for a slot before the next ones fold into a digest. */
export const QUEUE_LIMIT = 3
/** A storm digest stops counting (the next storm gets a new one) after this many slots without a new alert. */
export const STORM_END_SLOTS = 60
/** The longest wait before retrying a sink that failed (network trouble, not a refusal). */
const MAX_BACKOFF_MS = 60_000

export interface DeliveryOptions {
  readonly destination: AlertDestinationKey
  readonly store: AlertStore
  readonly clock: AlertClock
  readonly log: Log
  readonly intervalMs: number
  readonly quiet?: QuietHours | undefined
  readonly sink: () => AlertSink | undefined
  /** The alert's message as it should read now; undefined when the alert is gone. */
  readonly render: (alertId: string) => Promise<Reply | undefined>
  readonly renderDigest: (digest: DigestRecord) => Promise<Reply>
}

export class Delivery {
  readonly #o: DeliveryOptions
  readonly #outbox = new Outbox()
  #storm: DigestRecord | undefined
  #quiet: DigestRecord | undefined
  #lastFoldAt = 0
  #nextSlotAt = 0
  #busy = false
  #failures = 0
  #refused = false
  #waitingForSink = false
  #slotTimer: (() => void) | undefined
  #stormTimer: (() => void) | undefined
  #quietTimer: (() => void) | undefined
  /** The call to the sink under way, and the delivery's own writes under way. */
  #sending: Promise<void> | undefined
  readonly #writes = new Set<Promise<void>>()

  /** The destination's outbox; after a restart, its digests still counting carry on (read through `tx`). */
  static async open(options: DeliveryOptions, tx: AlertStore): Promise<Delivery> {
    const storm = await tx.openDigest(options.destination, 'storm')
    const quiet = await tx.openDigest(options.destination, 'quiet')
    return new Delivery(options, storm, quiet)
  }

  /** Use `open`: these are the destination's digests still counting. */
  constructor(options: DeliveryOptions, storm: DigestRecord | undefined, quiet: DigestRecord | undefined) {
    this.#o = options
    // A storm digest that was never posted gets posted.
    this.#storm = storm
    if (storm && !storm.messageId) this.#outbox.digest(storm.id)
    this.#quiet = quiet
    if (quiet) this.#armQuietEnd()
  }

  /** A new alert for this destination (its post is stored as pending), raised at `now` by the signal of `tx`. */
  async post(alert: AlertRecord, tx: AlertStore, now: number): Promise<void> {
    if (heldByQuietHours(this.#o.quiet, alert.severity, now)) {
      await this.#fold(alert, 'quiet', now, tx)
      this.#armQuietEnd()
      return
    }
    if (this.#storm || this.#outbox.posts >= QUEUE_LIMIT) {
      this.#lastFoldAt = now
      await this.#fold(alert, 'storm', now, tx)
    } else this.#outbox.post(alert.id)
    this.#pump()
  }

  /** An alert shown here changed, by the signal of `tx`; `event` when it fired again, which its digest counts too. */
  async changed(alert: AlertRecord, post: AlertPost, event: boolean, tx: AlertStore, now: number): Promise<void> {
    if (post.messageId) this.#outbox.update(alert.id)
    else if (post.digestId) {
      const digest = await this.#digest(post.digestId, tx)
      if (!digest) return
      const shown = event ? await this.#count(digest, alert, now, tx) : digest
      if (shown.reason === 'storm' || shown.messageId) this.#outbox.digest(shown.id)
    } else if (!this.#outbox.waits(alert.id)) {
      // Its post is on its way, rendered before this change (or waiting for its message id): edit it
      // once it is out, or the message would keep showing what it was.
      this.#outbox.update(alert.id)
    }
    this.#pump()
  }

  /** A sink for this platform was attached: what waited for it goes out now. */
  resume(): void {
    this.#waitingForSink = false
    this.#pump()
  }

  /**
   * Posts nothing more (until a restart); resolves once the writes of its own under way have ended, so
   * the store may close. A call to the sink under way is not waited for: a platform may never answer.
   */
  async stop(): Promise<void> {
    for (const cancel of [this.#slotTimer, this.#stormTimer, this.#quietTimer]) cancel?.()
    this.#slotTimer = this.#stormTimer = this.#quietTimer = undefined
    this.#refused = true
    await this.#written()
  }

  /** Resolves once nothing is being sent or written here (for tests: it waits for the sink to answer). */
  async idle(): Promise<void> {
    while (this.#sending) await this.#sending
    await this.#written()
  }

  async #written(): Promise<void> {
    while (this.#writes.size > 0) await Promise.allSettled([...this.#writes])
  }

  async #digest(id: string, store: AlertStore): Promise<DigestRecord | undefined> {
    if (this.#storm?.id === id) return this.#storm
    if (this.#quiet?.id === id) return this.#quiet
    return store.digest(id)
  }

  async #fold(alert: AlertRecord, reason: DigestRecord['reason'], now: number, tx: AlertStore): Promise<void> {
    const { platform, channel } = this.#o.destination
    const open = reason === 'storm' ? this.#storm : this.#quiet
    const digest = counted(open ?? newDigest(this.#o.destination, reason, now), alert, now)
    if (reason === 'quiet') this.#quiet = digest
    else {
      this.#storm = digest
      this.#outbox.digest(digest.id)
    }
    await tx.saveDigest(digest)
    await tx.setPost({ alertId: alert.id, platform, channel, digestId: digest.id })
  }

  async #count(digest: DigestRecord, alert: AlertRecord, now: number, tx: AlertStore): Promise<DigestRecord> {
    const next = counted(digest, alert, now)
    if (this.#storm?.id === next.id) this.#storm = next
    if (this.#quiet?.id === next.id) this.#quiet = next
    await tx.saveDigest(next)
    return next
  }

  /**
   * A write of the delivery's own, as a transaction of its own (see the top of this file); kept until
   * it ends, so `stop` can wait for it.
   */
  #persist(write: (tx: AlertStore) => Promise<void>): Promise<void> {
    const done = this.#o.store.atomically(write)
    const settled = done.then(
      () => undefined,
      () => undefined,
    )
    this.#writes.add(settled)
    void settled.then(() => this.#writes.delete(settled))
    return done
  }

  #pump(): void {
    if (this.#busy || this.#slotTimer || this.#refused || this.#waitingForSink) return
    const now = this.#o.clock.now()
    if (now < this.#nextSlotAt) {
      this.#slotTimer = this.#o.clock.setTimer(this.#nextSlotAt - now, () => {
        this.#slotTimer = undefined
        this.#pump()
      })
      return
    }
    const op = this.#outbox.peek()
    if (!op) {
      this.#endStorm(now)
      return
    }
    const sink = this.#o.sink()
    if (!sink) {
      this.#waitingForSink = true
      this.#o.log.warn({ destination: this.#o.destination }, 'no chat sink for this alert destination yet; alerts wait')
      return
    }
    this.#outbox.take(op)
    this.#busy = true
    this.#nextSlotAt = now + this.#o.intervalMs
    const sending = this.#send(sink, op).finally(() => {
      this.#busy = false
      this.#sending = undefined
      this.#pump()
    })
    this.#sending = sending
  }

  async #send(sink: AlertSink, op: Op): Promise<void> {
    const { destination, store, log } = this.#o
    try {
      if (op.kind === 'digest') await this.#sendDigest(sink, op.id)
      else {
        const reply = await this.#o.render(op.id)
        if (!reply) return
        if (op.kind === 'post') {
          const posted = await sink.post(destination.channel, reply)
          await this.#persist((tx) => tx.setPost({ alertId: op.id, ...destination, messageId: posted.messageId }))
        } else {
          const messageId = (await store.posts(op.id)).find((p) => same(p, destination))?.messageId
          if (messageId) await sink.update(postedAt(destination, messageId), reply)
        }
      }
      this.#failures = 0
    } catch (error) {
      if (error instanceof AlertSinkRefused) {
        this.#refused = true
        log.error(
          { err: error, destination },
          'the chat platform refused an alert for good; nothing more is posted to this destination until a restart (the alerts stay stored)',
        )
        return
      }
      this.#outbox.giveBack(op)
      const backoff = Math.min(MAX_BACKOFF_MS, this.#o.intervalMs * 2 ** ++this.#failures)
      this.#nextSlotAt = this.#o.clock.now() + backoff
      log.warn({ err: error, destination, retryInMs: backoff }, 'posting an alert failed; retrying')
    }
  }

  async #sendDigest(sink: AlertSink, id: string): Promise<void> {
    const digest = await this.#digest(id, this.#o.store)
    if (!digest) return
    const reply = await this.#o.renderDigest(digest)
    if (digest.messageId) {
      await sink.update(postedAt(this.#o.destination, digest.messageId), reply)
      return
    }
    const posted: PostedAlert = await sink.post(this.#o.destination.channel, reply)
    await this.#persist(async (tx) => {
      // As it stands now (signals may have counted more meanwhile). A quiet-hours digest is posted once,
      // when they end; later changes only edit it. A storm that ended meanwhile stays ended.
      const current = (await this.#digest(id, tx)) ?? digest
      const saved = { ...current, messageId: posted.messageId, closed: current.closed || digest.reason === 'quiet' }
      if (this.#storm?.id === id) this.#storm = saved
      if (this.#quiet?.id === id) this.#quiet = undefined
      await tx.saveDigest(saved)
    })
  }

  /** A storm that has been quiet long enough stops counting; the next one starts a new digest. */
  #endStorm(now: number): void {
    const storm = this.#storm
    if (!storm || this.#outbox.hasDigest(storm.id)) return
    const endsAt = this.#lastFoldAt + STORM_END_SLOTS * this.#o.intervalMs
    if (now < endsAt) {
      this.#stormTimer ??= this.#o.clock.setTimer(endsAt - now, () => {
        this.#stormTimer = undefined
        this.#pump()
      })
      return
    }
    this.#storm = undefined
    const { destination, log } = this.#o
    this.#persist(async (tx) => {
      // As it stands when this runs: a signal queued before may still count an event in it.
      await tx.saveDigest({ ...((await tx.digest(storm.id)) ?? storm), closed: true })
    }).catch((error) => log.error({ err: error, destination }, 'could not store the end of an alert storm'))
  }

  #armQuietEnd(): void {
    if (this.#quietTimer || this.#refused) return
    this.#quietTimer = this.#o.clock.setTimer(quietRemainingMs(this.#o.quiet, this.#o.clock.now()), () => {
      this.#quietTimer = undefined
      if (this.#quiet) this.#outbox.digest(this.#quiet.id)
      this.#pump()
    })
  }
}

const same = (a: AlertDestinationKey, b: AlertDestinationKey) => a.platform === b.platform && a.channel === b.channel
const postedAt = (destination: AlertDestinationKey, messageId: string): PostedAlert => ({
  destination: { platform: destination.platform, channel: destination.channel },
  messageId,
})
