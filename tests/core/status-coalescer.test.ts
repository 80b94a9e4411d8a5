/**
 * Live cards are edited in place and platforms rate-limit edits: coalesceStatus sends at most one
 * edit per interval, delivers the last intermediate state at the trailing edge, and always delivers
 * the final state at once, in order, never dropped behind a pending edit. Fake timers (Date included).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { StatusCard } from '../../src/core/reply.js'
import { coalesceStatus } from '../../src/core/status-coalescer.js'

const card = (label: string, state: StatusCard['state'] = 'running'): StatusCard => ({
  title: 'restart nginx-front in web-1 (job j1)',
  state,
  steps: [{ label, state: state === 'running' ? 'running' : 'done' }],
})

/** A sink that records what it got and when (fake time). */
function recorder(delayMs = 0) {
  const got: { at: number; label: string; state: string }[] = []
  const sink = async (c: StatusCard) => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs))
    got.push({ at: Date.now(), label: c.steps[0]?.label ?? '', state: c.state })
  }
  return { got, sink, labels: () => got.map((g) => g.label) }
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('coalesceStatus', () => {
  it('sends the first card at once, then holds updates and sends only the last one at the trailing edge', async () => {
    const { got, sink, labels } = recorder()
    const status = coalesceStatus(sink, 1_000, () => Date.now())
    void status(card('a'))
    await vi.advanceTimersByTimeAsync(0)
    expect(got).toEqual([{ at: 0, label: 'a', state: 'running' }])

    await vi.advanceTimersByTimeAsync(100)
    void status(card('b'))
    await vi.advanceTimersByTimeAsync(100)
    void status(card('c'))
    await vi.advanceTimersByTimeAsync(799)
    expect(labels()).toEqual(['a'])
    await vi.advanceTimersByTimeAsync(1)
    // b was superseded by c before the interval ended: only c is delivered, at t = 1000.
    expect(got).toEqual([
      { at: 0, label: 'a', state: 'running' },
      { at: 1_000, label: 'c', state: 'running' },
    ])
    await vi.advanceTimersByTimeAsync(5_000)
    expect(labels()).toEqual(['a', 'c'])
  })

  it('never edits more than once per interval, however fast the updates come', async () => {
    const { got, sink } = recorder()
    const status = coalesceStatus(sink, 1_000, () => Date.now())
    for (let i = 0; i < 100; i++) {
      void status(card(`step ${i}`))
      await vi.advanceTimersByTimeAsync(50)
    }
    await vi.advanceTimersByTimeAsync(1_000)
    const times = got.map((g) => g.at)
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(1_000)
    // 5 s of updates: the first at once, then one per second.
    expect(got.length).toBeGreaterThanOrEqual(5)
    expect(got.length).toBeLessThanOrEqual(6)
    // The last state shown is the last one given.
    expect(got.at(-1)?.label).toBe('step 99')
  })

  it('delivers the final state immediately, dropping the pending intermediate one', async () => {
    const { got, sink } = recorder()
    const status = coalesceStatus(sink, 1_000, () => Date.now())
    void status(card('a'))
    await vi.advanceTimersByTimeAsync(200)
    void status(card('b'))
    await vi.advanceTimersByTimeAsync(100)
    void status(card('done', 'succeeded'))
    await vi.advanceTimersByTimeAsync(0)
    expect(got).toEqual([
      { at: 0, label: 'a', state: 'running' },
      { at: 300, label: 'done', state: 'succeeded' },
    ])
    // The trailing timer of b was cancelled: nothing arrives after the final state.
    await vi.advanceTimersByTimeAsync(5_000)
    expect(got).toHaveLength(2)
  })

  it('keeps the order behind a slow sink: the final state arrives last, after the edits before it', async () => {
    const { got, sink, labels } = recorder(700)
    const status = coalesceStatus(sink, 1_000, () => Date.now())
    void status(card('a'))
    await vi.advanceTimersByTimeAsync(100)
    void status(card('failed', 'failed'))
    await vi.advanceTimersByTimeAsync(2_000)
    expect(labels()).toEqual(['a', 'failed'])
    expect(got.map((g) => g.at)).toEqual([700, 1_400])
  })

  it('a final state with nothing before it is sent at once, and a failing sink does not stop later edits', async () => {
    let calls = 0
    const delivered: string[] = []
    const status = coalesceStatus(
      async (c) => {
        calls++
        if (calls === 1) throw new Error('chat.update rate limited')
        delivered.push(c.state)
      },
      1_000,
      () => Date.now(),
    )
    await status(card('a'))
    await vi.advanceTimersByTimeAsync(1_000)
    await status(card('b'))
    await status(card('x', 'cancelled'))
    expect(delivered).toEqual(['running', 'cancelled'])

    const once: string[] = []
    await coalesceStatus(
      async (c) => void once.push(c.state),
      1_000,
      () => Date.now(),
    )(card('z', 'interrupted'))
    expect(once).toEqual(['interrupted'])
  })
})
