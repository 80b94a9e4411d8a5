/**
 * The contracts of JobStore (durable records with steps, the replica that owns each, interrupting the
 * jobs of replicas that are gone), InteractionStore (an event runs once, whichever replica gets it) and
 * HostKeyStore (first use pins, only an explicit replace changes it).
 */
import { describe, expect, it } from 'vitest'
import type { PinnedHostKey } from '../../../src/core/host-keys.js'
import { jobInput, T0 } from '../store-helpers.js'
import type { OpenHarness } from './contract-harness.js'

const WEEK = 7 * 24 * 60 * 60 * 1000

export function jobsContract(setup: OpenHarness): void {
  const open = async () => (await setup()).open()

  describe('jobs', () => {
    it('create stores the job with its steps and owner; updatedAt starts at createdAt', async () => {
      const { jobs } = await open()
      const job = await jobs.create(jobInput({ owner: 'replica-a' }))
      expect(job).toEqual({ ...jobInput({ owner: 'replica-a' }), updatedAt: T0 })
      expect(await jobs.get('j1')).toEqual(job)
      expect(await jobs.get('j2')).toBeUndefined()
      expect((await jobs.create(jobInput({ id: 'j2' }))).owner).toBeUndefined()
    })

    it('update merges state and steps, sets and clears result, and moves updatedAt', async () => {
      const { jobs } = await open()
      await jobs.create(jobInput())
      const steps = [
        { label: 'stop nginx-front', state: 'done' },
        { label: 'start nginx-front', state: 'running', detail: 'waiting for Up' },
      ] as const
      expect(await jobs.update('j1', { steps }, T0 + 10)).toMatchObject({ state: 'running', steps, updatedAt: T0 + 10 })
      const done = await jobs.update('j1', { state: 'succeeded', result: 'nginx-front is Up' }, T0 + 20)
      expect(done).toMatchObject({ state: 'succeeded', steps, result: 'nginx-front is Up', updatedAt: T0 + 20 })
      expect(done.error).toBeUndefined()
      expect((await jobs.update('j1', { result: undefined }, T0 + 30)).result).toBeUndefined()
      expect(await jobs.get('j1')).toMatchObject({ state: 'succeeded', steps, createdAt: T0, updatedAt: T0 + 30 })
    })

    it("keeps where the job's card is shown, set by a later update, through updates and interruption", async () => {
      const { jobs } = await open()
      const card = { platform: 'slack', channel: 'C0OPS', messageId: '1700000000.000100' }
      await jobs.create(jobInput({ owner: 'gone' }))
      expect((await jobs.get('j1'))?.card).toBeUndefined()
      expect((await jobs.update('j1', { steps: [], card }, T0 + 10)).card).toEqual(card)
      expect((await jobs.update('j1', { state: 'running' }, T0 + 20)).card).toEqual(card)
      const [interrupted] = await jobs.interruptRunning(T0 + 30, ['alive'])
      expect(interrupted).toMatchObject({ id: 'j1', state: 'interrupted', card })
      const other = { platform: 'discord', channel: '1234', messageId: '5678' }
      expect((await jobs.create(jobInput({ id: 'j2', card: other }))).card).toEqual(other)
    })

    it('update of an unknown job is refused', async () => {
      const { jobs } = await open()
      await expect(jobs.update('nope', { state: 'failed' }, T0)).rejects.toThrow('no job with id nope')
    })

    it('recent lists one requester’s newest jobs first (ties: the later written first), up to the limit', async () => {
      const { jobs } = await open()
      await jobs.create(jobInput({ id: 'old', createdAt: T0 }))
      await jobs.create(jobInput({ id: 'new', createdAt: T0 + 200 }))
      await jobs.create(jobInput({ id: 'mid', createdAt: T0 + 100 }))
      await jobs.create(jobInput({ id: 'mid2', createdAt: T0 + 100 }))
      await jobs.create(jobInput({ id: 'bobs', requesterKey: 'shell:bob', createdAt: T0 + 300 }))
      expect((await jobs.recent('shell:alice', 10)).map((j) => j.id)).toEqual(['new', 'mid2', 'mid', 'old'])
      expect((await jobs.recent('shell:alice', 2)).map((j) => j.id)).toEqual(['new', 'mid2'])
      expect((await jobs.recent('shell:bob', 10)).map((j) => j.id)).toEqual(['bobs'])
      expect(await jobs.recent('shell:carol', 10)).toEqual([])
    })

    it('interruptRunning with nothing alive marks every running job interrupted, keeps steps, returns them', async () => {
      const { jobs } = await open()
      await jobs.create(jobInput({ id: 'r2', createdAt: T0 + 1, owner: 'gone' }))
      await jobs.create(jobInput({ id: 'r1', createdAt: T0 }))
      await jobs.create(jobInput({ id: 'ok' }))
      await jobs.update('ok', { state: 'succeeded' }, T0 + 5)
      const interrupted = await jobs.interruptRunning(T0 + 50)
      expect(interrupted.map((j) => [j.id, j.state, j.updatedAt])).toEqual([
        ['r1', 'interrupted', T0 + 50],
        ['r2', 'interrupted', T0 + 50],
      ])
      expect(interrupted[0]?.steps).toEqual(jobInput().steps)
      expect((await jobs.get('ok'))?.state).toBe('succeeded')
      expect(await jobs.interruptRunning(T0 + 60)).toEqual([])
    })

    it('interruptRunning spares the jobs of replicas still alive, and takes those of the gone and the ownerless', async () => {
      const { jobs } = await open()
      await jobs.create(jobInput({ id: 'mine', owner: 'replica-a' }))
      await jobs.create(jobInput({ id: 'theirs', owner: 'replica-b', createdAt: T0 + 1 }))
      await jobs.create(jobInput({ id: 'dead', owner: 'replica-c', createdAt: T0 + 2 }))
      await jobs.create(jobInput({ id: 'single', createdAt: T0 + 3 }))
      const interrupted = await jobs.interruptRunning(T0 + 50, ['replica-a', 'replica-b'])
      expect(interrupted.map((j) => j.id)).toEqual(['dead', 'single'])
      expect((await jobs.get('mine'))?.state).toBe('running')
      expect((await jobs.get('theirs'))?.state).toBe('running')
      expect((await jobs.interruptRunning(T0 + 60, ['replica-a'])).map((j) => j.id)).toEqual(['theirs'])
    })

    it('a job written by one replica is continued by another, and survives closing the first', async () => {
      const harness = await setup()
      const first = await harness.open()
      await first.jobs.create(jobInput({ owner: 'replica-a' }))
      await first.close()
      const second = await harness.open()
      expect(await second.jobs.update('j1', { state: 'succeeded', result: 'done' }, T0 + 9)).toMatchObject({
        state: 'succeeded',
        owner: 'replica-a',
        updatedAt: T0 + 9,
      })
    })
  })

  describe('interactions', () => {
    it('claim is true the first time an id is seen and false after, from either replica', async () => {
      const harness = await setup()
      const [a, b] = [await harness.open(), await harness.open()]
      expect(await a.interactions.claim('slack:Ev123', T0)).toBe(true)
      expect(await a.interactions.claim('slack:Ev123', T0 + 1)).toBe(false)
      expect(await b.interactions.claim('slack:Ev123', T0 + 2)).toBe(false)
      expect(await b.interactions.claim('discord:1234', T0 + 2)).toBe(true)
    })

    it('one event delivered to two replicas at once runs on exactly one', async () => {
      const harness = await setup()
      const [a, b] = [await harness.open(), await harness.open()]
      const ids = Array.from({ length: 30 }, (_, i) => `slack:Ev${i}`)
      const claims = await Promise.all(
        ids.map((id) => Promise.all([a.interactions.claim(id, T0), b.interactions.claim(id, T0)])),
      )
      for (const [i, pair] of claims.entries()) expect(pair.filter(Boolean), ids[i]).toHaveLength(1)
    })

    it('ids are forgotten after a week, not before', async () => {
      const harness = await setup()
      const { interactions } = await harness.open()
      await interactions.claim('old', T0)
      expect(await interactions.claim('old', T0 + WEEK)).toBe(false)
      await interactions.claim('other', T0 + WEEK + 1) // prunes what is older than a week by then
      expect(await harness.raw('SELECT id FROM interactions ORDER BY id')).toEqual([{ id: 'other' }])
    })
  })

  describe('pinned SSH host keys', () => {
    const pin = (over: Partial<PinnedHostKey> = {}): PinnedHostKey => ({
      vmUuid: 'vm-1',
      pool: 'lab-modern',
      vmName: 'ci-runner',
      algorithm: 'ssh-ed25519',
      key: 'AAAAC3NzaC1lZDI1NTE5AAAAIFirst',
      fingerprint: 'SHA256:first',
      pinnedAt: T0,
      pinnedBy: 'first use',
      ...over,
    })

    it('pins the first key only; a replacement is explicit, and another replica sees it', async () => {
      const harness = await setup()
      const store = await harness.open()
      expect(await store.hostKeys.get('vm-1')).toBeUndefined()
      expect(await store.hostKeys.pinFirst(pin())).toBe(true)
      expect(await store.hostKeys.pinFirst(pin({ key: 'other', fingerprint: 'SHA256:other' }))).toBe(false)
      expect((await store.hostKeys.get('vm-1'))?.fingerprint).toBe('SHA256:first')
      const trusted = pin({ key: 'new', fingerprint: 'SHA256:new', pinnedBy: 'shell:alice', pinnedAt: T0 + 1 })
      await store.hostKeys.replace(trusted)
      expect(await (await harness.open()).hostKeys.get('vm-1')).toEqual(trusted)
    })

    it('two replicas reaching a new VM at once pin one key', async () => {
      const harness = await setup()
      const [a, b] = [await harness.open(), await harness.open()]
      const results = await Promise.all([
        a.hostKeys.pinFirst(pin({ key: 'ka', fingerprint: 'SHA256:a' })),
        b.hostKeys.pinFirst(pin({ key: 'kb', fingerprint: 'SHA256:b' })),
      ])
      expect(results.filter(Boolean)).toHaveLength(1)
      expect((await a.hostKeys.get('vm-1'))?.fingerprint).toBe(results[0] ? 'SHA256:a' : 'SHA256:b')
    })
  })
}
