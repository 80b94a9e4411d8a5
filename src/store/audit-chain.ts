/**
 * The audit log's hash chain, as pure functions (no SQLite): canonical JSON, the hash of one entry, and
 * the walk that checks a stored chain and names the first place it breaks. The same rules let anyone
 * re-check an export (`xen-chatops audit export --jsonl`) without this code:
 *
 *   hash = sha256_hex(prevHash + '\n' + canonical(entry without `hash`))
 *
 * where `canonical` is JSON with object keys sorted (by UTF-16 code units) at every depth, no spaces,
 * absent optional fields omitted, and the first entry's prevHash is 64 zeros. The seq is inside the
 * hashed text, so an entry moved to another seq no longer matches its hash; it is recognised as
 * moved (not altered) when it matches at another seq (@xen-orchestra/audit-core does the same walk and
 * tells MissingRecordError from AlteredRecordError).
 */
import { createHash } from 'node:crypto'
import type { AuditEntry, AuditVerdict } from '../core/store-ports.js'

export const GENESIS_HASH = '0'.repeat(64)

/** The last entry as recorded beside the chain, so that removing the tail is seen too. */
export interface AuditHead {
  readonly seq: number
  readonly hash: string
}

/** An entry as stored: `data` is the JSON text, parsed only when checked. */
export type StoredAuditEntry = Omit<AuditEntry, 'data'> & { readonly data: string }

/**
 * JSON with sorted object keys, the same values JSON.stringify keeps (toJSON honoured, undefined and
 * functions dropped from objects and turned to null in arrays, non-finite numbers to null). A cycle or
 * a bigint throws, so an entry that cannot be written canonically is never written at all.
 */
export function canonicalJson(value: unknown): string {
  const text = encode(value, '', new Set())
  if (text === undefined) throw new TypeError('cannot encode undefined as canonical JSON')
  return text
}

function encode(input: unknown, key: string, path: Set<object>): string | undefined {
  let value = input
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function')
    value = (value as { toJSON: (key: string) => unknown }).toJSON(key)
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value)
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null'
    case 'bigint':
      throw new TypeError(`cannot encode the bigint at "${key}" as JSON`)
    case 'object':
      break
    default:
      return undefined
  }
  const object = value as object
  if (path.has(object)) throw new TypeError(`cannot encode a cycle (at "${key}") as JSON`)
  path.add(object)
  let text: string
  if (Array.isArray(object)) {
    text = `[${object.map((item, index) => encode(item, String(index), path) ?? 'null').join(',')}]`
  } else {
    const record = object as Record<string, unknown>
    const parts: string[] = []
    for (const name of Object.keys(record).sort()) {
      const encoded = encode(record[name], name, path)
      if (encoded !== undefined) parts.push(`${JSON.stringify(name)}:${encoded}`)
    }
    text = `{${parts.join(',')}}`
  }
  path.delete(object)
  return text
}

/** The hash of an entry: its prevHash, a newline, and the canonical JSON of every field but `hash`. */
export function hashEntry(entry: Omit<AuditEntry, 'hash'>): string {
  const { seq, at, kind, requestId, platform, userId, userName, channel, data, prevHash } = entry
  const body = canonicalJson({ seq, at, kind, requestId, platform, userId, userName, channel, data, prevHash })
  return createHash('sha256').update(`${prevHash}\n${body}`).digest('hex')
}

/** Parses a stored entry's data; throws when the text is not a JSON object. */
export function parseStoredEntry(stored: StoredAuditEntry): AuditEntry {
  const data: unknown = JSON.parse(stored.data)
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new TypeError('data is not an object')
  return { ...stored, data: data as Record<string, unknown> }
}

export interface ChainSource {
  /** Every stored entry, in ascending seq order. */
  readonly entries: Iterable<StoredAuditEntry>
  /** The head record, or undefined when it is missing. */
  readonly head: AuditHead | undefined
  /** The largest seq stored (0 when empty), the upper bound when looking for a moved entry's seq. */
  readonly maxSeq: number
  /** The seq of the stored entry with this hash, if any; asked only once a link is broken. */
  seqOfHash(hash: string): number | undefined
}

type Broken = Extract<AuditVerdict, { ok: false }>

const broken = (seq: number, problem: Broken['problem'], message: string): Broken => ({
  ok: false,
  seq,
  problem,
  message,
})

const range = (from: number, to: number) => (from === to ? `entry ${from} is` : `entries ${from}–${to} are`)

/** The seq at which an entry's content matches its hash, when that is not the seq it is stored at. */
function movedFrom(entry: AuditEntry, bound: number): number | undefined {
  for (let seq = 1; seq <= bound; seq++) {
    if (seq !== entry.seq && hashEntry({ ...entry, seq }) === entry.hash) return seq
  }
  return undefined
}

/** Checks one entry against itself and against the entry before it (undefined for the first). */
function checkEntry(
  stored: StoredAuditEntry,
  previous: AuditHead | undefined,
  source: ChainSource,
  bound: number,
): Broken | undefined {
  let entry: AuditEntry
  try {
    entry = parseStoredEntry(stored)
  } catch {
    return broken(stored.seq, 'altered', `entry ${stored.seq}'s data is no longer a JSON object`)
  }
  if (hashEntry(entry) !== entry.hash) {
    const original = movedFrom(entry, bound)
    if (original !== undefined)
      return broken(entry.seq, 'reordered', `entry ${entry.seq} holds the entry written as ${original}`)
    return broken(entry.seq, 'altered', `entry ${entry.seq} does not match its hash (its content was changed)`)
  }
  const expected = previous?.hash ?? GENESIS_HASH
  const before = previous?.seq ?? 0
  if (entry.prevHash === expected) {
    if (entry.seq === before + 1) return undefined
    return broken(entry.seq, 'altered', `entry ${entry.seq} follows entry ${before} in the chain but was renumbered`)
  }
  const linked = entry.prevHash === GENESIS_HASH ? 0 : source.seqOfHash(entry.prevHash)
  if (linked !== undefined && linked > entry.seq)
    return broken(entry.seq, 'reordered', `entry ${entry.seq} links to entry ${linked}, which is stored after it`)
  if (linked === undefined && entry.seq > before + 1)
    return broken(
      entry.seq,
      'deleted',
      `${range(before + 1, entry.seq - 1)} missing (entry ${entry.seq} links to a hash no stored entry has)`,
    )
  if (linked !== undefined && linked < before)
    return broken(linked + 1, 'altered', `entries after ${linked} were inserted: entry ${entry.seq} links to ${linked}`)
  if (previous === undefined)
    return broken(entry.seq, 'altered', `entry ${entry.seq} is first but does not link to the start of the chain`)
  return broken(
    previous.seq,
    'altered',
    `entry ${previous.seq} was rewritten: entry ${entry.seq} links to a different hash than it has`,
  )
}

/**
 * Walks the chain in seq order and names the first problem: an entry that does not match its own hash
 * ('altered', or 'reordered' when it matches at another seq), a link to an entry that is gone
 * ('deleted', at the first entry after the gap, the message naming the missing seqs), a link to an
 * entry stored later ('reordered'), and last the head: a head beyond the last entry means the tail was
 * removed ('deleted', at the first missing seq), which a chain alone cannot show.
 */
export function verifyChain(source: ChainSource): AuditVerdict {
  const bound = Math.max(source.maxSeq, source.head?.seq ?? 0)
  let previous: AuditHead | undefined
  let count = 0
  for (const stored of source.entries) {
    const problem = checkEntry(stored, previous, source, bound)
    if (problem) return problem
    previous = { seq: stored.seq, hash: stored.hash }
    count++
  }
  const head = source.head
  const last = previous?.seq ?? 0
  if (head === undefined) return broken(last, 'deleted', 'the audit head record is missing')
  if (head.seq > last)
    return broken(
      last + 1,
      'deleted',
      `${range(last + 1, head.seq)} missing from the end (the head records ${head.seq})`,
    )
  if (head.seq < last)
    return broken(head.seq + 1, 'altered', `${range(head.seq + 1, last)} past the head: written outside the audit log`)
  if (head.hash !== (previous?.hash ?? GENESIS_HASH))
    return broken(last, 'altered', `entry ${last} does not match the hash the head records for it`)
  return { ok: true, entries: count }
}
