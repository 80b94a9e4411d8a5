/** The SQLite job store (durable records with steps) and the interaction store (run a redelivery once). */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/open-store.js'
import { jobInput, openTestStore, rawConnection, T0, tempDir } from './store-helpers.js'

describe('jobs', () => {
  it('create stores the job with its steps; updatedAt starts at createdAt', async () => {
    const { jobs } = openTestStore()
    const job = await jobs.create(jobInput())
    expect(job).toEqual({ ...jobInput(), updatedAt: T0 })
    expect(await jobs.get('j1')).toEqual(job)
    expect(await jobs.get('j2')).toBeUndefined()
  })

  it('update merges state and steps, sets result, and moves updatedAt', async () => {
    const { jobs } = openTestStore()
    await jobs.create(jobInput())
    const steps = [
      { label: 'stop nginx-front', state: 'done' },
      { label: 'start nginx-front', state: 'running', detail: 'waiting for Up' },
    ] as const
    const mid = await jobs.update('j1', { steps }, T0 + 10)
    expect(mid).toMatchObject({ state: 'running', steps, updatedAt: T0 + 10 })
    const done = await jobs.update('j1', { state: 'succeeded', result: 'nginx-front is Up' }, T0 + 20)
    expect(done).toMatchObject({ state: 'succeeded', steps, result: 'nginx-front is Up', updatedAt: T0 + 20 })
    expect(done.error).toBeUndefined()
    expect((await jobs.update('j1', { result: undefined }, T0 + 30)).result).toBeUndefined()
    expect(await jobs.get('j1')).toMatchObject({ state: 'succeeded', steps, createdAt: T0, updatedAt: T0 + 30 })
  })

  it('update of an unknown job throws', async () => {
    const { jobs } = openTestStore()
    await expect(jobs.update('nope', { state: 'failed' }, T0)).rejects.toThrow('no job with id nope')
  })

  it('recent lists one requester’s newest jobs first, up to the limit', async () => {
    const { jobs } = openTestStore()
    await jobs.create(jobInput({ id: 'old', createdAt: T0 }))
    await jobs.create(jobInput({ id: 'new', createdAt: T0 + 200 }))
    await jobs.create(jobInput({ id: 'mid', createdAt: T0 + 100 }))
    await jobs.create(jobInput({ id: 'bobs', requesterKey: 'shell:bob', createdAt: T0 + 300 }))
    expect((await jobs.recent('shell:alice', 10)).map((j) => j.id)).toEqual(['new', 'mid', 'old'])
    expect((await jobs.recent('shell:alice', 2)).map((j) => j.id)).toEqual(['new', 'mid'])
    expect((await jobs.recent('shell:bob', 10)).map((j) => j.id)).toEqual(['bobs'])
    expect(await jobs.recent('shell:carol', 10)).toEqual([])
  })

  it('interruptRunning marks only running jobs interrupted, keeps their steps, and returns them', async () => {
    const { jobs } = openTestStore()
    await jobs.create(jobInput({ id: 'r2', createdAt: T0 + 1 }))
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

  it('jobs survive closing and reopening the store (a restart)', async () => {
    const dataDir = join(tempDir(), 'data')
    const before = openStore({ dataDir })
    await before.jobs.create(jobInput())
    await before.close()
    const after = openTestStore({ dataDir })
    expect((await after.jobs.interruptRunning(T0 + 1)).map((j) => j.id)).toEqual(['j1'])
  })
})

describe('interactions', () => {
  it('claim is true the first time an id is seen and false after, across connections', async () => {
    const dataDir = join(tempDir(), 'data')
    const a = openTestStore({ dataDir })
    const b = openTestStore({ dataDir })
    expect(await a.interactions.claim('slack:Ev123', T0)).toBe(true)
    expect(await a.interactions.claim('slack:Ev123', T0 + 1)).toBe(false)
    expect(await b.interactions.claim('slack:Ev123', T0 + 2)).toBe(false)
    expect(await b.interactions.claim('discord:1234', T0 + 2)).toBe(true)
  })

  it('ids are forgotten after a week, not before', async () => {
    const dataDir = join(tempDir(), 'data')
    const { interactions } = openTestStore({ dataDir })
    const week = 7 * 24 * 60 * 60 * 1000
    await interactions.claim('old', T0)
    expect(await interactions.claim('old', T0 + week)).toBe(false)
    await interactions.claim('other', T0 + week + 1) // prunes what is older than a week by then
    const left = rawConnection(join(dataDir, 'xen-chatops.db')).prepare('SELECT id FROM interactions ORDER BY id')
    expect(left.pluck().all()).toEqual(['other'])
  })
})
