/**
 * LeaderWork (issue #15) over a lease faked at its port: the tasks start when the replica leads and
 * stop when it no longer does; on stop() they have stopped before the lease is given up, so the next
 * leader never runs its copy of them beside this one's.
 */
import { describe, expect, it } from 'vitest'
import type { LeaderLease } from '../src/core/leader-lease.js'
import { LeaderWork } from '../src/leader-work.js'
import { silentLog } from '../src/log.js'

/** A lease the test hands out and takes back; `events` records when it was given up. */
function fakeLease(events: string[]) {
  const listeners = new Set<(leader: boolean) => void>()
  let leader = false
  const set = (value: boolean) => {
    if (leader === value) return
    leader = value
    for (const listener of [...listeners]) listener(value)
  }
  const lease: LeaderLease & { set(value: boolean): void } = {
    replicaId: 'replica-a',
    isLeader: () => leader,
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    alive: async () => ['replica-a'],
    start: async () => undefined,
    stop: async () => {
      set(false)
      events.push('lease given up')
    },
    set,
  }
  return lease
}

/** A task whose stop takes a few turns of the event loop, as storing queued work does. */
const slowTask = (events: string[]) => ({
  name: 'alerts',
  start: async () => {
    events.push('started')
  },
  stop: async () => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
    events.push('stopped')
  },
})

describe('LeaderWork', () => {
  it('starts the tasks when the lease is won and stops them when it is lost', async () => {
    const events: string[] = []
    const lease = fakeLease(events)
    const work = new LeaderWork(lease, silentLog)
    await work.add(slowTask(events))
    await work.start()
    expect(events).toEqual([])
    lease.set(true)
    await work.settled()
    lease.set(false)
    await work.settled()
    expect(events).toEqual(['started', 'stopped'])
  })

  it('on stop(), the tasks have stopped before the lease is given up', async () => {
    const events: string[] = []
    const lease = fakeLease(events)
    const work = new LeaderWork(lease, silentLog)
    await work.add(slowTask(events))
    await work.start()
    lease.set(true)
    await work.settled()
    await work.stop()
    expect(events).toEqual(['started', 'stopped', 'lease given up'])
  })
})
