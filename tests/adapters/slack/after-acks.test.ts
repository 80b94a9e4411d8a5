/**
 * AfterAcks: post-ack work starts one piece per turn of the event loop, in order, so what arrived
 * meanwhile (the next envelopes, to be acked) is handled between two pieces; results and failures
 * reach the caller.
 */
import { describe, expect, it } from 'vitest'
import { AfterAcks } from '../../../adapters/slack/after-acks.js'

describe('AfterAcks', () => {
  it('starts nothing synchronously, then one piece per turn, with what was queued meanwhile in between', async () => {
    const queue = new AfterAcks()
    const order: string[] = []
    const piece = (name: string) => async () => {
      order.push(name)
      // Stands for an envelope that arrived while this piece ran: it must not wait for the next piece.
      setImmediate(() => order.push(`after ${name}`))
    }
    const done = Promise.all([queue.run(piece('a')), queue.run(piece('b')), queue.run(piece('c'))])
    expect(order).toEqual([])
    await done
    await new Promise((resolve) => setImmediate(resolve))
    expect(order).toEqual(['a', 'after a', 'b', 'after b', 'c', 'after c'])
  })

  it('passes a failure to its caller and goes on with the next piece', async () => {
    const queue = new AfterAcks()
    const failing = queue.run(async () => {
      throw new Error('boom')
    })
    const next = queue.run(async () => undefined)
    await expect(failing).rejects.toThrow('boom')
    await expect(next).resolves.toBeUndefined()
  })
})
