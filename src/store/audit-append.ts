/**
 * The steps of an audit append that do not depend on the engine, so SQLite and PostgreSQL write the
 * same entry for the same event: the data as stored (plain JSON, secrets redacted, its canonical text)
 * and the entry chained to the head. Each engine runs them in its own transaction, under its own lock.
 */
import type { AuditEntry, AuditEvent } from '../core/store-ports.js'
import { redactSecrets } from '../redact-secrets.js'
import { type AuditHead, canonicalJson, hashEntry } from './audit-chain.js'

/**
 * The event's data as it is stored: turned to plain JSON first (toJSON run, undefined dropped) so that
 * redaction sees exactly what gets stored, then redacted (src/redact-secrets.ts), with its canonical
 * text. Throws for data that cannot be written canonically (a cycle, a bigint) or is not an object.
 */
export function storedAuditData(data: AuditEvent['data']): { data: Record<string, unknown>; text: string } {
  const plain: unknown = JSON.parse(canonicalJson(data))
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain))
    throw new TypeError('audit data must be a JSON object')
  const redacted = redactSecrets(plain) as Record<string, unknown>
  return { data: redacted, text: canonicalJson(redacted) }
}

/** The entry after `head`, at `at`, holding the event with its stored data, and its hash. */
export function chainedEntry(
  head: AuditHead,
  at: number,
  event: AuditEvent,
  data: Record<string, unknown>,
): AuditEntry {
  const entry: Omit<AuditEntry, 'hash'> = {
    seq: head.seq + 1,
    at,
    kind: event.kind,
    requestId: event.requestId,
    platform: event.platform,
    userId: event.userId,
    userName: event.userName,
    channel: event.channel,
    data,
    prevHash: head.hash,
  }
  return { ...entry, hash: hashEntry(entry) }
}
