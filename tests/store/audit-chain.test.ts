/** The pure chain rules: canonical JSON, the entry hash, and which problem the walk names first. */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { AuditEntry } from '../../src/core/store-ports.js'
import {
  type AuditHead,
  canonicalJson,
  GENESIS_HASH,
  hashEntry,
  type StoredAuditEntry,
  verifyChain,
} from '../../src/store/audit-chain.js'

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } }, '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}'],
    [{ s: 'é"\n', n: -0, f: 1.5, t: true }, '{"f":1.5,"n":0,"s":"é\\"\\n","t":true}'],
    [{ gone: undefined, fn: () => 1, keep: 0 }, '{"keep":0}'],
    [[undefined, Number.NaN, Number.POSITIVE_INFINITY], '[null,null,null]'],
    [{ when: new Date(Date.UTC(2026, 0, 2)) }, '{"when":"2026-01-02T00:00:00.000Z"}'],
    [{ B: 1, a: 2, _: 3 }, '{"B":1,"_":3,"a":2}'],
  ])('GIVEN %j THEN %s', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected)
  })

  it('the same object with keys in another order encodes the same', () => {
    expect(canonicalJson({ x: { q: 1, p: [2, { m: 3, l: 4 }] }, w: 'v' })).toBe(
      canonicalJson({ w: 'v', x: { p: [2, { l: 4, m: 3 }], q: 1 } }),
    )
  })

  it('a cycle or a bigint throws instead of writing something unverifiable', () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    expect(() => canonicalJson(cyclic)).toThrow('cannot encode a cycle (at "self") as JSON')
    expect(() => canonicalJson({ n: 1n })).toThrow('cannot encode the bigint at "n" as JSON')
    // The same object twice (not a cycle) is fine.
    const shared = { k: 1 }
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"k":1},"b":{"k":1}}')
  })
})

describe('hashEntry', () => {
  it('is sha256 of prevHash, a newline, and the canonical entry without hash (absent fields omitted)', () => {
    const entry = {
      seq: 1,
      at: 5,
      kind: 'request',
      userId: 'U1',
      data: { b: 2, a: 1 },
      prevHash: GENESIS_HASH,
    } as const
    const text = `${GENESIS_HASH}\n{"at":5,"data":{"a":1,"b":2},"kind":"request","prevHash":"${GENESIS_HASH}","seq":1,"userId":"U1"}`
    expect(hashEntry(entry)).toBe(createHash('sha256').update(text).digest('hex'))
    expect(GENESIS_HASH).toBe('0'.repeat(64))
  })
})

/** A valid chain of n entries (seq 1..n), as stored, and its head. */
function chain(n: number): { entries: StoredAuditEntry[]; head: AuditHead } {
  const entries: StoredAuditEntry[] = []
  let prevHash = GENESIS_HASH
  for (let seq = 1; seq <= n; seq++) {
    const entry: Omit<AuditEntry, 'hash'> = { seq, at: 1000 + seq, kind: 'job.step', data: { step: seq }, prevHash }
    const hash = hashEntry(entry)
    entries.push({ ...entry, data: canonicalJson(entry.data), hash })
    prevHash = hash
  }
  const last = entries.at(-1)
  return { entries, head: { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH } }
}

function verify(entries: StoredAuditEntry[], head: AuditHead | undefined) {
  const sorted = [...entries].sort((a, b) => a.seq - b.seq)
  return verifyChain({
    entries: sorted,
    head,
    maxSeq: sorted.at(-1)?.seq ?? 0,
    seqOfHash: (hash) => sorted.find((e) => e.hash === hash)?.seq,
  })
}

/** Re-hashes an entry after changing it, as someone who knows the algorithm would. */
function rehash(entry: StoredAuditEntry, change: Partial<Omit<AuditEntry, 'hash'>>): StoredAuditEntry {
  const { hash: _old, data, ...rest } = entry
  const next = { ...rest, data: JSON.parse(data) as Record<string, unknown>, ...change }
  return { ...next, data: canonicalJson(next.data), hash: hashEntry(next) }
}

describe('verifyChain', () => {
  it('an intact chain and an empty one are ok', () => {
    const { entries, head } = chain(4)
    expect(verify(entries, head)).toEqual({ ok: true, entries: 4 })
    expect(verify([], { seq: 0, hash: GENESIS_HASH })).toEqual({ ok: true, entries: 0 })
  })

  it('changed content is altered at that seq', () => {
    const { entries, head } = chain(4)
    const tampered = entries.map((e) => (e.seq === 2 ? { ...e, data: '{"step":99}' } : e))
    expect(verify(tampered, head)).toMatchObject({ ok: false, seq: 2, problem: 'altered' })
    const garbage = entries.map((e) => (e.seq === 3 ? { ...e, data: 'not json' } : e))
    expect(verify(garbage, head)).toEqual({
      ok: false,
      seq: 3,
      problem: 'altered',
      message: "entry 3's data is no longer a JSON object",
    })
  })

  it('an entry re-hashed after a change is caught by the next link and named', () => {
    const { entries, head } = chain(4)
    const tampered = entries.map((e) => (e.seq === 2 ? rehash(e, { data: { step: 99 } }) : e))
    expect(verify(tampered, head)).toEqual({
      ok: false,
      seq: 2,
      problem: 'altered',
      message: 'entry 2 was rewritten: entry 3 links to a different hash than it has',
    })
  })

  it('a missing entry is deleted, at the first entry after the gap, naming what is missing', () => {
    const { entries, head } = chain(6)
    expect(
      verify(
        entries.filter((e) => e.seq !== 3),
        head,
      ),
    ).toEqual({
      ok: false,
      seq: 4,
      problem: 'deleted',
      message: 'entry 3 is missing (entry 4 links to a hash no stored entry has)',
    })
    expect(
      verify(
        entries.filter((e) => e.seq < 2 || e.seq > 4),
        head,
      ),
    ).toMatchObject({
      seq: 5,
      problem: 'deleted',
      message: 'entries 2–4 are missing (entry 5 links to a hash no stored entry has)',
    })
    expect(verify(entries.slice(1), head)).toMatchObject({ seq: 2, problem: 'deleted', message: /^entry 1 is missing/ })
  })

  it('a missing tail is deleted, seen through the head', () => {
    const { entries, head } = chain(5)
    expect(verify(entries.slice(0, 3), head)).toEqual({
      ok: false,
      seq: 4,
      problem: 'deleted',
      message: 'entries 4–5 are missing from the end (the head records 5)',
    })
    expect(verify(entries, undefined)).toMatchObject({ seq: 5, problem: 'deleted', message: /head record is missing/ })
  })

  it('an entry stored at another seq is reordered, naming where it belongs', () => {
    const { entries, head } = chain(5)
    const swapped = entries.map((e) => (e.seq === 2 ? { ...e, seq: 4 } : e.seq === 4 ? { ...e, seq: 2 } : e))
    expect(verify(swapped, head)).toEqual({
      ok: false,
      seq: 2,
      problem: 'reordered',
      message: 'entry 2 holds the entry written as 4',
    })
  })

  it('an entry linking to one stored after it is reordered', () => {
    // A writer that chained entry 3 onto entry 5: each entry matches its own hash, the links go backwards.
    const { entries } = chain(2)
    const two = entries[1] as StoredAuditEntry
    const five = rehash({ ...two, seq: 5 }, { seq: 5, prevHash: two.hash, data: { step: 5 } })
    const three = rehash(five, { seq: 3, prevHash: five.hash, data: { step: 3 } })
    expect(verify([...entries, three, five], { seq: 5, hash: five.hash })).toEqual({
      ok: false,
      seq: 3,
      problem: 'reordered',
      message: 'entry 3 links to entry 5, which is stored after it',
    })
  })

  it('a renumbered entry (re-hashed, links intact) is altered; entries past the head are altered', () => {
    const { entries, head } = chain(3)
    const renumbered = entries.map((e) => (e.seq === 3 ? rehash(e, { seq: 7 }) : e))
    expect(verify(renumbered, head)).toMatchObject({
      seq: 7,
      problem: 'altered',
      message: 'entry 7 follows entry 2 in the chain but was renumbered',
    })
    expect(verify(entries, { seq: 2, hash: entries[1]?.hash ?? '' })).toMatchObject({
      seq: 3,
      problem: 'altered',
      message: 'entry 3 is past the head: written outside the audit log',
    })
    expect(verify(entries, { seq: 3, hash: 'f'.repeat(64) })).toMatchObject({ seq: 3, problem: 'altered' })
  })
})
