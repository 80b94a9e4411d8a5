/**
 * One destination's outbox. Every call to the sink (a post or an edit) takes a slot, and slots are at
 * least 1/rate apart (Slack allows about one message per second per channel). A few new alerts may wait
 * for a slot; beyond that, alerts fold into one digest message that is posted once and edited in place
 * as it counts them, until the storm has been quiet for a minute. Quiet hours fold the alerts they hold
 * into a digest posted when they end. Every event is either in its own message or counted in a digest,
 * and both are in the store, so nothing is dropped silently — not even when a sink refuses for good
 * (the posts stay pending and go out after a restart).
 */
import { randomBytes } from 'node:crypto'
import { type AlertSink, AlertSinkRefused, type PostedAlert } from '../core/alert-sink.js'
import type { Reply } from '../core/reply.js'
import type { Log } from '../log.js'
import type { AlertClock } from './alert-clock.js'
import type { AlertDestinationKey, AlertPost, AlertRecord, AlertStore, DigestRecord } from './alert-types.js'
import type { QuietHours } from './alerts-config.js'
import { heldByQuietHours, quietRemainingMs } from './routing.js'

/** New alerts that may wait for a slot before the next ones fold into a digest. */
export const QUEUE_LIMIT = 3
/** A storm digest stops counting (the next storm gets a new one) after this many slots without a new alert. */
export const STORM_END_SLOTS = 60
/** The longest wait before retrying a sink that failed (network trouble, not a refusal). */
const MAX_BACKOFF_MS = 60_000
/** How many recent titles a digest shows. */
const RECENT = 5

export interface DeliveryOptions {
  readonly destination: AlertDestinationKey
  readonly store: AlertStore
  readonly clock: AlertClock
  readonly log: Log
  readonly intervalMs: number
  readonly quiet?: QuietHours | undefined
  readonly sink: () => AlertSink | undefined
  /** The alert's message as it should read now; undefined when the alert is gone. */
  readonly render: (alertId: string) => Reply | undefined
  readonly renderDigest: (digest: DigestRecord) => Reply
}

type Op = { readonly kind: 'post' | 'update' | 'digest'; readonly id: string }

const newDigestId = () => `d${randomBytes(5).toString('hex')}`

export class Delivery {
  readonly #o: DeliveryOptions
  readonly #posts: string[] = []
  readonly #updates = new Set<string>()
  readonly #dirty = new Set<string>()
  #storm: DigestRecord | undefined
  #quiet: DigestRecord | undefined
  #lastFoldAt = 0
  #nextSlotAt = 0
  #busy = false
  #turn = 0
  #failures = 0
  #refused = false
  #waitingForSink = false
  #slotTimer: (() => void) | undefined
  #stormTimer: (() => void) | undefined
  #quietTimer: (() => void) | undefined

  constructor(options: DeliveryOptions) {
    this.#o = options
    // After a restart: the digests still counting carry on (and get posted if they never were).
    this.#storm = options.store.openDigest(options.destination, 'storm')
    if (this.#storm && !this.#storm.messageId) this.#dirty.add(this.#storm.id)
    this.#quiet = options.store.openDigest(options.destination, 'quiet')
    if (this.#quiet) this.#armQuietEnd()
  }

  /** A new alert for this destination (its post is stored as pending). */
  post(alert: AlertRecord): void {
    const now = this.#o.clock.now()
    if (heldByQuietHours(this.#o.quiet, alert.severity, now)) {
      this.#fold(alert, 'quiet', now)
      this.#armQuietEnd()
      return
    }
    if (this.#storm || this.#posts.length >= QUEUE_LIMIT) {
      this.#fold(alert, 'storm', now)
      this.#lastFoldAt = now
    } else this.#posts.push(alert.id)
    this.#pump()
  }

  /** An alert shown here changed; `event` when it fired again, which its digest counts too. */
  changed(alert: AlertRecord, post: AlertPost, event: boolean): void {
    if (post.messageId) this.#updates.add(alert.id)
    else if (post.digestId) {
      let digest = this.#digest(post.digestId)
      if (!digest) return
      if (event) digest = this.#count(digest, alert, this.#o.clock.now())
      if (digest.reason === 'storm' || digest.messageId) this.#dirty.add(digest.id)
    }
    this.#pump()
  }

  /** A sink for this platform was attached: what waited for it goes out now. */
  resume(): void {
    this.#waitingForSink = false
    this.#pump()
  }

  stop(): void {
    for (const cancel of [this.#slotTimer, this.#stormTimer, this.#quietTimer]) cancel?.()
    this.#slotTimer = this.#stormTimer = this.#quietTimer = undefined
    this.#refused = true
  }

  #digest(id: string): DigestRecord | undefined {
    if (this.#storm?.id === id) return this.#storm
    if (this.#quiet?.id === id) return this.#quiet
    return this.#o.store.digest(id)
  }

  #fold(alert: AlertRecord, reason: DigestRecord['reason'], now: number): void {
    const { platform, channel } = this.#o.destination
    const open = reason === 'storm' ? this.#storm : this.#quiet
    const digest = this.#count(
      open ?? {
        id: newDigestId(),
        platform,
        channel,
        reason,
        events: 0,
        byKind: {},
        recent: [],
        openedAt: now,
        updatedAt: now,
        closed: false,
      },
      alert,
      now,
    )
    this.#o.store.setPost({ alertId: alert.id, platform, channel, digestId: digest.id })
    if (reason === 'quiet') this.#quiet = digest
    else {
      this.#storm = digest
      this.#dirty.add(digest.id)
    }
  }

  #count(digest: DigestRecord, alert: AlertRecord, now: number): DigestRecord {
    const counted: DigestRecord = {
      ...digest,
      events: digest.events + 1,
      byKind: { ...digest.byKind, [alert.kind]: (digest.byKind[alert.kind] ?? 0) + 1 },
      recent: [...digest.recent, alert.title].slice(-RECENT),
      updatedAt: now,
    }
    this.#o.store.saveDigest(counted)
    if (this.#storm?.id === counted.id) this.#storm = counted
    if (this.#quiet?.id === counted.id) this.#quiet = counted
    return counted
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
    const op = this.#peek()
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
    this.#take(op)
    this.#busy = true
    this.#nextSlotAt = now + this.#o.intervalMs
    void this.#send(sink, op).finally(() => {
      this.#busy = false
      this.#pump()
    })
  }

  /** New alerts first, then digests and edits in turn (a long storm must not starve resolutions). */
  #peek(): Op | undefined {
    const post = this.#posts[0]
    if (post !== undefined) return { kind: 'post', id: post }
    const digest = this.#dirty.values().next().value
    const update = this.#updates.values().next().value
    if (digest !== undefined && (update === undefined || this.#turn++ % 2 === 0)) return { kind: 'digest', id: digest }
    return update === undefined ? undefined : { kind: 'update', id: update }
  }

  #take(op: Op): void {
    if (op.kind === 'post') this.#posts.shift()
    else if (op.kind === 'digest') this.#dirty.delete(op.id)
    else this.#updates.delete(op.id)
  }

  #giveBack(op: Op): void {
    if (op.kind === 'post') this.#posts.unshift(op.id)
    else if (op.kind === 'digest') this.#dirty.add(op.id)
    else this.#updates.add(op.id)
  }

  async #send(sink: AlertSink, op: Op): Promise<void> {
    const { destination, store, log } = this.#o
    try {
      if (op.kind === 'digest') await this.#sendDigest(sink, op.id)
      else {
        const reply = this.#o.render(op.id)
        if (!reply) return
        if (op.kind === 'post') {
          const posted = await sink.post(destination.channel, reply)
          store.setPost({ alertId: op.id, ...destination, messageId: posted.messageId })
        } else {
          const messageId = store.posts(op.id).find((p) => same(p, destination))?.messageId
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
      this.#giveBack(op)
      const backoff = Math.min(MAX_BACKOFF_MS, this.#o.intervalMs * 2 ** ++this.#failures)
      this.#nextSlotAt = this.#o.clock.now() + backoff
      log.warn({ err: error, destination, retryInMs: backoff }, 'posting an alert failed; retrying')
    }
  }

  async #sendDigest(sink: AlertSink, id: string): Promise<void> {
    const digest = this.#digest(id)
    if (!digest) return
    const reply = this.#o.renderDigest(digest)
    if (digest.messageId) {
      await sink.update(postedAt(this.#o.destination, digest.messageId), reply)
      return
    }
    const posted: PostedAlert = await sink.post(this.#o.destination.channel, reply)
    // A quiet-hours digest is posted once, when they end; later changes only edit it.
    const saved = { ...(this.#digest(id) ?? digest), messageId: posted.messageId, closed: digest.reason === 'quiet' }
    this.#o.store.saveDigest(saved)
    if (this.#storm?.id === id) this.#storm = saved
    if (this.#quiet?.id === id) this.#quiet = undefined
  }

  /** A storm that has been quiet long enough stops counting; the next one starts a new digest. */
  #endStorm(now: number): void {
    const storm = this.#storm
    if (!storm || this.#dirty.has(storm.id)) return
    const endsAt = this.#lastFoldAt + STORM_END_SLOTS * this.#o.intervalMs
    if (now < endsAt) {
      this.#stormTimer ??= this.#o.clock.setTimer(endsAt - now, () => {
        this.#stormTimer = undefined
        this.#pump()
      })
      return
    }
    this.#o.store.saveDigest({ ...storm, closed: true })
    this.#storm = undefined
  }

  #armQuietEnd(): void {
    if (this.#quietTimer || this.#refused) return
    this.#quietTimer = this.#o.clock.setTimer(quietRemainingMs(this.#o.quiet, this.#o.clock.now()), () => {
      this.#quietTimer = undefined
      if (this.#quiet) this.#dirty.add(this.#quiet.id)
      this.#pump()
    })
  }
}

const same = (a: AlertDestinationKey, b: AlertDestinationKey) => a.platform === b.platform && a.channel === b.channel
const postedAt = (destination: AlertDestinationKey, messageId: string): PostedAlert => ({
  destination: { platform: destination.platform, channel: destination.channel },
  messageId,
})
