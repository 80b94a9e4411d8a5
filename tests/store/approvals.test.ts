/** The SQLite approval store: records, votes, quorum, expiry and the run-once job link. */
import { describe, expect, it } from 'vitest'
import { approvalInput, approve, cancel, deny, openTestStore, T0 } from './store-helpers.js'

describe('approvals: records', () => {
  it('create stores a pending approval and get returns it with its JSON args and the requester groups', async () => {
    const { approvals } = openTestStore()
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
    const { approvals } = openTestStore()
    await approvals.create(approvalInput())
    await expect(approvals.create(approvalInput())).rejects.toThrow(/UNIQUE constraint failed: approvals.id/)
  })

  it('pending lists only pending approvals not yet due, oldest first', async () => {
    const { approvals } = openTestStore()
    await approvals.create(approvalInput({ id: 'late', createdAt: T0 + 10, expiresAt: T0 + 5000 }))
    await approvals.create(approvalInput({ id: 'early', createdAt: T0, expiresAt: T0 + 5000 }))
    await approvals.create(approvalInput({ id: 'due', createdAt: T0, expiresAt: T0 + 100 }))
    await approvals.create(approvalInput({ id: 'denied', createdAt: T0, expiresAt: T0 + 5000 }))
    await approvals.vote('denied', deny('bob', T0 + 1), 1)
    expect((await approvals.pending(T0 + 100)).map((a) => a.id)).toEqual(['early', 'late'])
    expect((await approvals.pending(T0 + 99)).map((a) => a.id)).toEqual(['due', 'early', 'late'])
  })

  it('expire turns due pending approvals expired, returns them once, and leaves decided ones alone', async () => {
    const { approvals } = openTestStore()
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
    const { approvals } = openTestStore()
    await approvals.create(approvalInput())
    const outcome = await approvals.vote('a7k2m9', approve('bob', T0 + 5), 1)
    expect(outcome).toMatchObject({ kind: 'recorded', reachedQuorum: true, record: { state: 'approved' } })
    expect((await approvals.get('a7k2m9'))?.approvals).toEqual([
      { actorKey: 'shell:bob', actorName: 'bob', at: T0 + 5 },
    ])
    expect((await approvals.get('a7k2m9'))?.decidedBy).toBeUndefined()
  })

  it('quorum 2 needs two distinct approvers; the same approver twice is a duplicate', async () => {
    const { approvals } = openTestStore()
    await approvals.create(approvalInput({ quorum: 2 }))
    const first = await approvals.vote('a7k2m9', approve('bob'), 2)
    expect(first).toMatchObject({ kind: 'recorded', reachedQuorum: false, record: { state: 'pending' } })
    const again = await approvals.vote('a7k2m9', approve('bob', T0 + 2000), 2)
    expect(again.kind).toBe('duplicate')
    expect((await approvals.get('a7k2m9'))?.approvals.map((a) => a.actorKey)).toEqual(['shell:bob'])
    expect((await approvals.get('a7k2m9'))?.state).toBe('pending')
    const second = await approvals.vote('a7k2m9', approve('carol'), 2)
    expect(second).toMatchObject({ kind: 'recorded', reachedQuorum: true, record: { state: 'approved' } })
    expect((await approvals.get('a7k2m9'))?.approvals.map((a) => a.actorName)).toEqual(['bob', 'carol'])
  })

  it('the quorum stored with the request is not lowered by a smaller quorum at vote time', async () => {
    const { approvals } = openTestStore()
    await approvals.create(approvalInput({ quorum: 2 }))
    expect(await approvals.vote('a7k2m9', approve('bob'), 1)).toMatchObject({ kind: 'recorded', reachedQuorum: false })
    expect((await approvals.get('a7k2m9'))?.state).toBe('pending')
  })

  it('deny closes it and records who; later votes answer closed and change nothing', async () => {
    const { approvals } = openTestStore()
    await approvals.create(approvalInput({ quorum: 2 }))
    await approvals.vote('a7k2m9', approve('bob'), 2)
    const denied = await approvals.vote('a7k2m9', deny('carol'), 2)
    expect(denied).toMatchObject({ kind: 'recorded', reachedQuorum: false, record: { state: 'denied' } })
    expect(await approvals.get('a7k2m9')).toMatchObject({ state: 'denied', decidedBy: 'carol' })
    const late = await approvals.vote('a7k2m9', approve('dave'), 2)
    expect(late).toMatchObject({ kind: 'closed', record: { state: 'denied' } })
    expect((await approvals.get('a7k2m9'))?.approvals).toHaveLength(1)
  })

  it('cancel closes it as cancelled', async () => {
    const { approvals } = openTestStore()
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
    const { approvals } = openTestStore()
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
    const { approvals } = openTestStore()
    expect(await approvals.vote('nope', approve('bob'), 1)).toEqual({ kind: 'unknown' })
  })
})

describe('approvals: job link', () => {
  it('claimForJob links one job once, and only to an approved request', async () => {
    const { approvals } = openTestStore()
    await approvals.create(approvalInput())
    expect(await approvals.claimForJob('a7k2m9', 'j1')).toBe(false) // still pending
    await approvals.vote('a7k2m9', approve('bob'), 1)
    expect(await approvals.claimForJob('a7k2m9', 'j1')).toBe(true)
    expect(await approvals.claimForJob('a7k2m9', 'j2')).toBe(false)
    expect(await approvals.claimForJob('nope', 'j3')).toBe(false)
    expect((await approvals.get('a7k2m9'))?.jobId).toBe('j1')
  })
})
