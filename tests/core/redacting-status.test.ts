import { describe, expect, it } from 'vitest'
import { redactingStatus } from '../../src/core/redacting-status.js'
import type { StatusCard } from '../../src/core/reply.js'
import type { StatusSink } from '../../src/core/status-coalescer.js'

describe('redactingStatus', () => {
  it('redacts what the card shows and keeps where the card is (a job stores that address)', async () => {
    const shown: StatusCard[] = []
    const status: StatusSink = Object.assign(
      async (card: StatusCard) => {
        shown.push(card)
      },
      { where: () => ({ platform: 'slack', channel: 'C1', messageId: '1.2' }) },
    )
    const wrapped = redactingStatus({ status }).status
    await wrapped?.({ title: 'restart xoxb-2718281828-3141592653589-QmFkU2VjcmV0VG9rZW4', state: 'running', steps: [] })
    expect(shown[0]?.title).toBe('restart [redacted]')
    expect(wrapped?.where?.()).toEqual({ platform: 'slack', channel: 'C1', messageId: '1.2' })
  })
})
