/**
 * Concurrent decisions on one approval resolve to exactly one outcome: two Store objects on the same
 * file in this process (calls interleaved), and two child processes released by a file barrier.
 */
import { spawn } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { VoteOutcome } from '../../src/core/store-ports.js'
import { approvalInput, approve, deny, openTestStore, T0, tempDir } from './store-helpers.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CHILD = fileURLToPath(new URL('./vote-child.ts', import.meta.url))

describe('racing votes from two Store objects on one file', () => {
  it('approve and deny interleaved: the first call decides, the other answers closed with that state', async () => {
    const dataDir = join(tempDir(), 'data')
    const a = openTestStore({ dataDir })
    const b = openTestStore({ dataDir })
    for (let i = 0; i < 40; i++) await a.approvals.create(approvalInput({ id: `r${i}` }))
    for (let i = 0; i < 40; i++) {
      const id = `r${i}`
      const approveFirst = i % 3 !== 0
      const calls: [() => Promise<VoteOutcome>, () => Promise<VoteOutcome>] = [
        async () => await a.approvals.vote(id, approve('bob', T0 + i), 1),
        async () => await b.approvals.vote(id, deny('carol', T0 + i), 1),
      ]
      const [first, second] = approveFirst ? calls : [calls[1], calls[0]]
      // One after the other: the first vote decides, the second finds the request closed.
      const won = await first()
      const lost = await second()
      const state = approveFirst ? 'approved' : 'denied'
      expect(won).toMatchObject({ kind: 'recorded', record: { state } })
      expect(lost).toMatchObject({ kind: 'closed', record: { state } })
      expect((await a.approvals.get(id))?.state).toBe(state)
      expect((await b.approvals.get(id))?.state).toBe(state)
    }
  })

  it('quorum and duplicates are seen across connections; the job link is claimed once', async () => {
    const dataDir = join(tempDir(), 'data')
    const a = openTestStore({ dataDir })
    const b = openTestStore({ dataDir })
    await a.approvals.create(approvalInput({ quorum: 2 }))
    expect(await a.approvals.vote('a7k2m9', approve('bob'), 2)).toMatchObject({
      kind: 'recorded',
      reachedQuorum: false,
    })
    expect((await b.approvals.vote('a7k2m9', approve('bob'), 2)).kind).toBe('duplicate')
    expect(await b.approvals.vote('a7k2m9', approve('carol'), 2)).toMatchObject({
      kind: 'recorded',
      reachedQuorum: true,
    })
    expect([await a.approvals.claimForJob('a7k2m9', 'ja'), await b.approvals.claimForJob('a7k2m9', 'jb')]).toEqual([
      true,
      false,
    ])
    expect((await b.approvals.get('a7k2m9'))?.jobId).toBe('ja')
  })
})

interface ChildResult {
  id: string
  kind: VoteOutcome['kind']
  state?: string
  claimed: boolean
}

function runChild(args: string[]): { done: Promise<ChildResult[]> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT })
  let out = ''
  let err = ''
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString()
  })
  const done = new Promise<ChildResult[]>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as ChildResult[])
      else reject(new Error(`vote child exited with ${code}: ${err}`))
    })
  })
  return { done }
}

async function waitFor(paths: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!paths.every((p) => existsSync(p))) {
    if (Date.now() > deadline) throw new Error(`children not ready: ${paths.filter((p) => !existsSync(p))}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Two processes vote on the same ids at the same moment; returns both result lists. */
async function race(kinds: ['approve' | 'deny', 'approve' | 'deny'], ids: string[]) {
  const dir = tempDir()
  const dataDir = join(dir, 'data')
  const store = openTestStore({ dataDir })
  for (const id of ids)
    await store.approvals.create(approvalInput({ id, createdAt: Date.now(), expiresAt: Date.now() + 60_000 }))
  const barrier = join(dir, 'go')
  const ready = [join(dir, 'ready-1'), join(dir, 'ready-2')]
  const orders = ['forward', 'reverse']
  const children = kinds.map((kind, n) =>
    runChild([dataDir, kind, `voter${n + 1}`, ready[n] ?? '', barrier, orders[n] ?? '', ...ids]),
  )
  await waitFor(ready, 15_000)
  writeFileSync(barrier, '')
  const results = await Promise.all(children.map((c) => c.done))
  // Keyed by id, since the second child votes in reverse order.
  const byId = results.map((list) => new Map(list.map((r) => [r.id, r])))
  return { store, first: byId[0] ?? new Map<string, ChildResult>(), second: byId[1] ?? new Map<string, ChildResult>() }
}

describe('racing votes from two processes', () => {
  // Where the two meet varies run to run (one may even finish first); every id must resolve once either way.
  const ids = Array.from({ length: 300 }, (_, i) => `p${i}`)

  it('approve against deny: per approval one vote is recorded, the other answers closed, one final state', async () => {
    const { store, first, second } = await race(['approve', 'deny'], ids)
    expect([...first.keys()].sort()).toEqual([...ids].sort())
    expect([...second.keys()].sort()).toEqual([...ids].sort())
    for (const id of ids) {
      const approver = first.get(id)
      const denier = second.get(id)
      const final = await store.approvals.get(id)
      const kinds = [approver?.kind, denier?.kind].sort()
      expect(kinds, id).toEqual(['closed', 'recorded'])
      const expected = approver?.kind === 'recorded' ? 'approved' : 'denied'
      expect(final?.state, id).toBe(expected)
      expect(approver?.state, id).toBe(expected)
      expect(denier?.state, id).toBe(expected)
      expect(final?.approvals.length, id).toBe(expected === 'approved' ? 1 : 0)
      expect(final?.decidedBy, id).toBe(expected === 'denied' ? 'voter2' : undefined)
      // Whoever saw it approved tried to start the job; exactly one of them got it.
      expect(Number(approver?.claimed) + Number(denier?.claimed), id).toBe(expected === 'approved' ? 1 : 0)
    }
  }, 30_000)

  it('two approvers at once: one recorded, one closed, and the job is claimed exactly once', async () => {
    const { store, first, second } = await race(['approve', 'approve'], ids)
    for (const id of ids) {
      const [one, two] = [first.get(id), second.get(id)]
      expect([one?.kind, two?.kind].sort(), id).toEqual(['closed', 'recorded'])
      expect(Number(one?.claimed) + Number(two?.claimed), id).toBe(1)
      const final = await store.approvals.get(id)
      expect(final?.approvals, id).toHaveLength(1)
      const winner = one?.kind === 'recorded' ? 'voter1' : 'voter2'
      expect(final?.approvals[0]?.actorName, id).toBe(winner)
      expect(final?.jobId, id).toMatch(/^job-voter[12]-p\d+$/)
    }
  }, 30_000)
})
