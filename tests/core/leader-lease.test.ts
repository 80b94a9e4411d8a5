/** The single-process leader lease (one bot on SQLite): leads from start() to stop(), alone. */
import { describe, expect, it } from 'vitest'
import { newReplicaId, singleProcessLease } from '../../src/core/leader-lease.js'

describe('singleProcessLease', () => {
  it('leads from start() to stop(), telling listeners once each way, and is the only replica alive', async () => {
    const heard: boolean[] = []
    const lease = singleProcessLease('solo')
    const unsubscribe = lease.onChange((leader) => heard.push(leader))
    expect([lease.isLeader(), await lease.alive()]).toEqual([false, []])
    await lease.start()
    await lease.start()
    expect([lease.isLeader(), await lease.alive()]).toEqual([true, ['solo']])
    await lease.stop()
    await lease.stop()
    expect(lease.isLeader()).toBe(false)
    expect(heard).toEqual([true, false])
    unsubscribe()
    await lease.start()
    expect(heard).toEqual([true, false])
  })

  it('a listener that throws is reported and does not keep the others from hearing', async () => {
    const errors: unknown[] = []
    const heard: boolean[] = []
    const lease = singleProcessLease('solo', (error) => errors.push(error))
    lease.onChange(() => {
      throw new Error('listener broke')
    })
    lease.onChange((leader) => heard.push(leader))
    await lease.start()
    expect(heard).toEqual([true])
    expect(errors).toEqual([new Error('listener broke')])
  })

  it('a replica id is new for each process start, so a restarted bot does not count its old jobs as live', () => {
    const [one, two] = [newReplicaId(), newReplicaId()]
    expect(one).not.toBe(two)
    expect(one).toMatch(new RegExp(`-${process.pid}-[0-9a-f]{8}$`))
    expect(singleProcessLease().replicaId).toMatch(/-[0-9a-f]{8}$/)
  })
})
