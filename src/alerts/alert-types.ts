/**
 * The alert channel's vocabulary (issue #11): what a detector reports (a signal: a condition firing or
 * resolved), and what the engine keeps about each condition (an alert record, stored so a restart
 * neither repeats nor forgets it). Kinds and severities are the words routing rules match on.
 */

export const ALERT_KINDS = [
  'container-exited',
  'container-restart-loop',
  'vm-stopped',
  'vm-crashed',
  'monitor-failing',
  'host-unsupported',
  'pool-connection',
  'docker-unreadable',
] as const
export type AlertKind = (typeof ALERT_KINDS)[number]

export const SEVERITIES = ['info', 'warning', 'critical'] as const
export type Severity = (typeof SEVERITIES)[number]

export const severityRank = (severity: Severity) => SEVERITIES.indexOf(severity)

/** What an alert is about: always a pool; a VM, a container or a host when it is about one. */
export interface AlertSubject {
  readonly pool: string
  readonly vm?: { readonly uuid: string; readonly name: string; readonly tags: readonly string[] } | undefined
  readonly container?: { readonly id: string; readonly key: string; readonly name: string } | undefined
  readonly host?: { readonly uuid: string; readonly name: string } | undefined
}

/** A detector's report: the condition `key` now holds (firing) or no longer does (resolved). */
export type AlertSignal =
  | {
      readonly state: 'firing'
      readonly kind: AlertKind
      /** One condition, one key: `container-exited:lab/<vm uuid>/<container id>`. */
      readonly key: string
      readonly severity: Severity
      readonly subject: AlertSubject
      /** One line, plain text: `nginx-front in web-1 exited with code 137`. */
      readonly title: string
      readonly detail?: string | undefined
      /** Fire only if the condition still holds after this long (a pool connection that blips). */
      readonly holdMs?: number | undefined
    }
  | {
      readonly state: 'resolved'
      readonly key: string
      /** What ended it, in words: `back up`, `running again`, `connection restored`. */
      readonly resolution: string
    }

export type AlertState = 'open' | 'acknowledged' | 'resolved'

export interface AlertRecord {
  /** Short opaque id, carried by the alert's buttons. */
  readonly id: string
  readonly key: string
  readonly kind: AlertKind
  readonly severity: Severity
  readonly state: AlertState
  readonly subject: AlertSubject
  readonly title: string
  readonly detail?: string | undefined
  readonly resolution?: string | undefined
  /** How many times the condition fired in this alert's life (duplicates and re-fires are counted here). */
  readonly occurrences: number
  /** When the condition last changed between firing and clear, newest last (flap damping). */
  readonly changes: readonly number[]
  readonly firstAt: number
  readonly lastAt: number
  /** When this alert was first posted: a re-fire within the re-notify interval edits it instead. */
  readonly notifiedAt: number
  readonly resolvedAt?: number | undefined
  readonly ackedBy?: string | undefined
  readonly ackedAt?: number | undefined
  /** A Restart pressed on this alert: by whom, and the approval it waits for, if any (it runs once). */
  readonly restart?: { readonly by: string; readonly at: number; readonly approval?: string | undefined } | undefined
}

export interface AlertDestinationKey {
  readonly platform: string
  readonly channel: string
}

/** Where one alert went at one destination: its own message, or a digest it was counted in. */
export interface AlertPost extends AlertDestinationKey {
  readonly alertId: string
  readonly messageId?: string | undefined
  readonly digestId?: string | undefined
}

/**
 * One message counting alerts that were not posted one by one: a storm beyond the destination's rate
 * (edited in place as it grows), or what quiet hours held back (posted when they end).
 */
export interface DigestRecord extends AlertDestinationKey {
  readonly id: string
  readonly reason: 'storm' | 'quiet'
  readonly messageId?: string | undefined
  /** Every event counted here: new alerts and further firings of alerts already counted. */
  readonly events: number
  readonly byKind: Readonly<Record<string, number>>
  /** The latest few titles, newest last. */
  readonly recent: readonly string[]
  readonly openedAt: number
  readonly updatedAt: number
  readonly closed: boolean
}

/**
 * Alert state, durable (src/store/sqlite-alerts.ts, src/store/pg/pg-alerts.ts). Each method is one
 * statement or one transaction. Only the leader replica's engine writes signals; button presses
 * (acknowledge, mute, claimRestart) may come from any replica, so those are atomic conditional writes.
 */
export interface AlertStore {
  /**
   * Runs `fn` as one transaction on `tx`, a view of this store whose calls join it: one signal's writes
   * commit together (a storm writes thousands) or not at all. Calls are serialised: a second
   * `atomically` waits for the first to end.
   */
  atomically<T>(fn: (tx: AlertStore) => Promise<T>): Promise<T>
  /** Stores a new alert and its pending posts (one per destination) together. */
  create(record: AlertRecord, destinations: readonly AlertDestinationKey[]): Promise<AlertRecord>
  get(id: string): Promise<AlertRecord | undefined>
  /** The alert of `key` that is open or acknowledged (there is at most one). */
  live(key: string): Promise<AlertRecord | undefined>
  /** The newest alert of `key`, in any state. */
  latest(key: string): Promise<AlertRecord | undefined>
  /** Every alert still open or acknowledged, oldest first. */
  unresolved(): Promise<AlertRecord[]>
  update(id: string, patch: Partial<Omit<AlertRecord, 'id' | 'key' | 'kind' | 'firstAt'>>): Promise<AlertRecord>
  /** Acknowledges an open alert atomically; undefined when it was not open. */
  acknowledge(id: string, by: string, at: number): Promise<AlertRecord | undefined>
  /** Sets the alert's restart to `by` if none was asked yet; false when one was (a restart runs once). */
  claimRestart(id: string, by: string, at: number): Promise<boolean>
  mute(key: string, until: number, by: string): Promise<void>
  muted(key: string, now: number): Promise<{ readonly until: number; readonly by: string } | undefined>
  posts(alertId: string): Promise<AlertPost[]>
  /** Posts with neither a message nor a digest yet, of unresolved alerts (a restart re-queues them). */
  pendingPosts(): Promise<AlertPost[]>
  setPost(post: AlertPost): Promise<void>
  digest(id: string): Promise<DigestRecord | undefined>
  openDigest(destination: AlertDestinationKey, reason: DigestRecord['reason']): Promise<DigestRecord | undefined>
  saveDigest(digest: DigestRecord): Promise<void>
  /**
   * Forgets alerts resolved before `before` (with their posts), closed digests that no longer count
   * any alert, and lapsed mutes; returns how many alerts went. Open alerts are never pruned.
   */
  prune(before: number): Promise<number>
  /** How many alerts a digest counts, and how many of them are not resolved yet. */
  digestAlerts(digestId: string): Promise<{ readonly total: number; readonly unresolved: number }>
}
