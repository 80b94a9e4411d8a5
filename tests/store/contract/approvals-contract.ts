/** The contract of ApprovalStore: records, votes, quorum, expiry, the run-once job link, and races. */
import { describe, expect, it } from 'vitest'
import type { VoteOutcome } from '../../../src/core/store-ports.js'
import { approvalInput, approve, cancel, deny, T0 } from '../store-helpers.js'
import type { OpenHarness } from './contract-harness.js'

export function approvalsContract(setup: OpenHarness): void {
  const open = async () => (await setup()).open()

  describe('approvals: records', () => {
    it('create stores a pending approval; get returns it with its JSON args and the requester groups', async () => {
      const { approvals } = await open()
      const input = approvalInput({
        args: { vm: 'web-1', container: 'nginx-front', all: true },
        requesterGroups: ['ops'],
      })
      const created = await approvals.create(input)
      expect(created).toEqual({ ...input, state: 'pending', approvals: [], decidedBy: undefined, jobId: undefined })
      expect(await approvals.get('a7k2m9')).toEqual(created)
      expect(await approvals.get('zzzzzz')).toBeUndefined()
    })

    it('a second approval with the same id is refused', async () => {
      const { approvals } = await open()
      await approvals.create(approvalInput())
      await expect(approvals.create(approvalInput({ planSummary: 'other' }))).rejects.toThrow(/unique constraint/i)
      expect((await approvals.get('a7k2m9'))?.planSummary).toBe(approvalInput().planSummary)
    })

    it('pending lists only pending approvals not yet due, oldest first', async () => {
      const { approvals } = await open()
      await approvals.create(approvalInput({ id: 'late', createdAt: T0 + 10, expiresAt: T0 + 5000 }))
      await approvals.create(approvalInput({ id: 'early', createdAt: T0, expiresAt: T0 + 5000 }))
      await approvals.create(approvalInput({ id: 'due', createdAt: T0, expiresAt: T0 + 100 }))
      await approvals.create(approvalInput({ id: 'denied', createdAt: T0, expiresAt: T0 + 5000 }))
      await approvals.vote('denied', deny('bob', T0 + 1), 1)
      expect((await approvals.pending(T0 + 100)).map((a) => a.id)).toEqual(['early', 'late'])
      expect((await approvals.pending(T0 + 99)).map((a) => a.id)).toEqual(['due', 'early', 'late'])
    })

    it('expire turns due pending approvals expired, returns them once, and leaves decided ones alone', async () => {
      const { approvals } = await open()
      await approvals.create(approvalInput({ id: 'a', createdAt: T0 + 1, expiresAt: T0 + 100 }))
      await approvals.create(approvalInput({ id: 'b', createdAt: T0, expiresAt: T0 + 100 }))
      await approvals.create(approvalInput({ id: 'c', expiresAt: T0 + 101 }))
      await approvals.create(approvalInput({ id: 'd', expiresAt: T0 + 50 }))
      await approvals.vote('d', approve('bob', T0 + 10), 1)
      const expired = await approvals.expire(T0 + 100)
      expect(expired.map((a) => [a.id, a.state])).toEqual([
        ['b', 'expired'],
        ['a', 'expired'],
      ])
      expect(await approvals.expire(T0 + 100)).toEqual([])
      expect((await approvals.get('c'))?.state).toBe('pending')
      expect((await approvals.get('d'))?.state).toBe('approved')
    })
  })

  describe('approvals: votes', () => {
    it('an approve is recorded with who and when; with quorum 1 it approves', async () => {
      const { approvals } = await open()
      await approvals.create(approvalInput())
      const outcome = await approvals.vote('a7k2m9', approve('bob', T0 + 5), 1)
      expect(outcome).toMatchObject({ kind: 'recorded', reachedQuorum: true, record: { state: 'approved' } })
      const stored = await approvals.get('a7k2m9')
      expect(stored?.approvals).toEqual([{ actorKey: 'shell:bob', actorName: 'bob', at: T0 + 5 }])
      expect(stored?.decidedBy).toBeUndefined()
    })

    it('quorum 2 needs two distinct approvers; the same approver twice is a duplicate', async () => {
      const { approvals } = await open()
      await approvals.create(approvalInput({ quorum: 2 }))
      expect(await approvals.vote('a7k2m9', approve('bob'), 2)).toMatchObject({
        kind: 'recorded',
        reachedQuorum: false,
        record: { state: 'pending' },
      })
      expect((await approvals.vote('a7k2m9', approve('bob', T0 + 2000), 2)).kind).toBe('duplicate')
      expect((await approvals.get('a7k2m9'))?.approvals.map((a) => a.actorKey)).toEqual(['shell:bob'])
      expect((await approvals.get('a7k2m9'))?.state).toBe('pending')
      expect(await approvals.vote('a7k2m9', approve('carol'), 2)).toMatchObject({
        kind: 'recorded',
        reachedQuorum: true,
        record: { state: 'approved' },
      })
      expect((await approvals.get('a7k2m9'))?.approvals.map((a) => a.actorName)).toEqual(['bob', 'carol'])
    })

    it('the quorum stored with the request is not lowered by a smaller quorum at vote time', async () => {
      const { approvals } = await open()
      await approvals.create(approvalInput({ quorum: 2 }))
      expect(await approvals.vote('a7k2m9', approve('bob'), 1)).toMatchObject({
        kind: 'recorded',
        reachedQuorum: false,
      })
      expect((await approvals.get('a7k2m9'))?.state).toBe('pending')
    })

    it('deny closes it and records who; later votes answer closed and change nothing', async () => {
      const { approvals } = await open()
      await approvals.create(approvalInput({ quorum: 2 }))
      await approvals.vote('a7k2m9', approve('bob'), 2)
      expect(await approvals.vote('a7k2m9', deny('carol'), 2)).toMatchObject({
        kind: 'recorded',
        reachedQuorum: false,
        record: { state: 'denied' },
      })
      expect(await approvals.get('a7k2m9')).toMatchObject({ state: 'denied', decidedBy: 'carol' })
      expect(await approvals.vote('a7k2m9', approve('dave'), 2)).toMatchObject({
        kind: 'closed',
        record: { state: 'denied' },
      })
      expect((await approvals.get('a7k2m9'))?.approvals).toHaveLength(1)
    })

    it('cancel closes it as cancelled', async () => {
      const { approvals } = await open()
      await approvals.create(approvalInput())
      expect(await approvals.vote('a7k2m9', cancel('alice'), 1)).toMatchObject({
        kind: 'recorded',
        record: { state: 'cancelled', decidedBy: 'alice' },
      })
      expect(await approvals.vote('a7k2m9', approve('bob'), 1)).toMatchObject({
        kind: 'closed',
        record: { state: 'cancelled' },
      })
    })

    it('a vote at or after the expiry answers closed and leaves it expired', async () => {
      const { approvals } = await open()
      await approvals.create(approvalInput({ expiresAt: T0 + 300 }))
      await approvals.create(approvalInput({ id: 'b', expiresAt: T0 + 300 }))
      expect(await approvals.vote('a7k2m9', approve('bob', T0 + 300), 1)).toMatchObject({
        kind: 'closed',
        record: { state: 'expired' },
      })
      expect(await approvals.get('a7k2m9')).toMatchObject({ state: 'expired', approvals: [] })
      expect(await approvals.vote('b', deny('bob', T0 + 299), 1)).toMatchObject({ kind: 'recorded' })
    })

    it('a vote on an unknown id answers unknown', async () => {
      const { approvals } = await open()
      expect(await approvals.vote('nope', approve('bob'), 1)).toEqual({ kind: 'unknown' })
    })

    it('claimForJob links one job once, and only to an approved request', async () => {
      const { approvals } = await open()
      await approvals.create(approvalInput())
      expect(await approvals.claimForJob('a7k2m9', 'j1')).toBe(false) // still pending
      await approvals.vote('a7k2m9', approve('bob'), 1)
      expect(await approvals.claimForJob('a7k2m9', 'j1')).toBe(true)
      expect(await approvals.claimForJob('a7k2m9', 'j2')).toBe(false)
      expect(await approvals.claimForJob('nope', 'j3')).toBe(false)
      expect((await approvals.get('a7k2m9'))?.jobId).toBe('j1')
    })
  })

  describe('approvals: concurrent decisions from two replicas', () => {
    it('twelve approvers clicking at once on two Stores: one vote is recorded, the rest answer closed', async () => {
      const harness = await setup()
      const [a, b] = [await harness.open(), await harness.open()]
      await a.approvals.create(approvalInput())
      const votes = Array.from({ length: 12 }, (_, i) =>
        (i % 2 ? a : b).approvals.vote('a7k2m9', approve(`voter${i}`, T0 + 10), 1),
      )
      const outcomes = await Promise.all(votes)
      const recorded = outcomes.filter((o) => o.kind === 'recorded')
      expect(recorded).toHaveLength(1)
      expect(outcomes.filter((o) => o.kind === 'closed')).toHaveLength(11)
      const final = await b.approvals.get('a7k2m9')
      expect(final?.state).toBe('approved')
      expect(final?.approvals).toHaveLength(1)
      expect(final?.approvals[0]?.actorName).toBe(
        (recorded[0] as Extract<VoteOutcome, { kind: 'recorded' }>).record.approvals[0]?.actorName,
      )
    })

    it('approve against deny on twenty approvals at once: each ends one way, and its job is claimed once', async () => {
      const harness = await setup()
      const [a, b] = [await harness.open(), await harness.open()]
      const ids = Array.from({ length: 20 }, (_, i) => `r${i}`)
      for (const id of ids) await a.approvals.create(approvalInput({ id }))
      const results = await Promise.all(
        ids.map(async (id) => {
          const [approved, denied] = await Promise.all([
            a.approvals.vote(id, approve('bob', T0 + 5), 1),
            b.approvals.vote(id, deny('carol', T0 + 5), 1),
          ])
          const claims = await Promise.all([
            a.approvals.claimForJob(id, `ja-${id}`),
            b.approvals.claimForJob(id, `jb-${id}`),
          ])
          return { id, approved, denied, claims }
        }),
      )
      for (const { id, approved, denied, claims } of results) {
        expect([approved.kind, denied.kind].sort(), id).toEqual(['closed', 'recorded'])
        const state = approved.kind === 'recorded' ? 'approved' : 'denied'
        expect((await b.approvals.get(id))?.state, id).toBe(state)
        expect(claims.filter(Boolean).length, id).toBe(state === 'approved' ? 1 : 0)
      }
    })
  })
}
