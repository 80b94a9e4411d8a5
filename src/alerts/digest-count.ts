/** A digest's counting: a new one, and one more event in it (the latest few titles, newest last). */
import { randomBytes } from 'node:crypto'
import type { AlertDestinationKey, AlertRecord, DigestRecord } from './alert-types.js'

/** How many recent titles a digest shows. */
const RECENT = 5

export function newDigest(destination: AlertDestinationKey, reason: DigestRecord['reason'], now: number): DigestRecord {
  return {
    id: `d${randomBytes(5).toString('hex')}`,
    platform: destination.platform,
    channel: destination.channel,
    reason,
    events: 0,
    byKind: {},
    recent: [],
    openedAt: now,
    updatedAt: now,
    closed: false,
  }
}

/** `digest` counting one more event of `alert`. */
export function counted(digest: DigestRecord, alert: AlertRecord, now: number): DigestRecord {
  return {
    ...digest,
    events: digest.events + 1,
    byKind: { ...digest.byKind, [alert.kind]: (digest.byKind[alert.kind] ?? 0) + 1 },
    recent: [...digest.recent, alert.title].slice(-RECENT),
    updatedAt: now,
  }
}
