/**
 * The simulator's clocks: ManualClock fires timers only when a test advances it, in due order, and
 * runs work a timer starts inside the same window; RealClock runs simulated time N times faster.
 */
import { performance } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { ManualClock, RealClock } from '../../src/sim/clock.js'

const START = Date.UTC(2026, 0, 1)

describe('ManualClock', () => {
  it('starts at the given time and only moves when advanced', async () => {
    const clock = new ManualClock(START)
    expect(clock.now()).toBe(START)
    expect(new ManualClock().now()).toBe(START)
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(clock.now()).toBe(START)
    await clock.advance(1500)
    expect(clock.now()).toBe(START + 1500)
  })

  it('fires timers in due order (ties in scheduling order), each seeing its due time, and only once due', async () => {
    const clock = new ManualClock(START)
    const fired: string[] = []
    const at = (name: string) => () => fired.push(`${name}@${clock.now() - START}`)
    clock.setTimer(300, at('c'))
    clock.setTimer(100, at('a'))
    clock.setTimer(200, at('b1'))
    clock.setTimer(200, at('b2'))
    clock.setTimer(1000, at('late'))
    expect(clock.pending).toBe(5)
    expect(fired).toEqual([])

    await clock.advance(199)
    expect(fired).toEqual(['a@100'])
    await clock.advance(1)
    expect(fired).toEqual(['a@100', 'b1@200', 'b2@200'])
    await clock.advance(700)
    expect(fired).toEqual(['a@100', 'b1@200', 'b2@200', 'c@300'])
    expect(clock.pending).toBe(1)
    expect(clock.now()).toBe(START + 900)
    await clock.advance(100)
    expect(fired).toEqual(['a@100', 'b1@200', 'b2@200', 'c@300', 'late@1000'])
    expect(clock.pending).toBe(0)
  })

  it('treats a negative delay as zero', async () => {
    const clock = new ManualClock(START)
    let fired = false
    clock.setTimer(-50, () => {
      fired = true
    })
    await clock.advance(0)
    expect(fired).toBe(true)
    expect(clock.now()).toBe(START)
  })

  it('fires a timer scheduled by a timer inside the same advance, and leaves one beyond the window', async () => {
    const clock = new ManualClock(START)
    const fired: number[] = []
    clock.setTimer(100, () => {
      fired.push(clock.now() - START)
      clock.setTimer(150, () => {
        fired.push(clock.now() - START)
        clock.setTimer(500, () => fired.push(clock.now() - START))
      })
    })
    await clock.advance(300)
    expect(fired).toEqual([100, 250])
    expect(clock.pending).toBe(1)
    await clock.advance(449)
    expect(fired).toEqual([100, 250])
    await clock.advance(1)
    expect(fired).toEqual([100, 250, 750])
  })

  it('runs async work a timer resumes (a chain of sleeps) inside the window', async () => {
    const clock = new ManualClock(START)
    const steps: number[] = []
    const work = (async () => {
      for (let i = 0; i < 4; i++) {
        await clock.sleep(1000)
        steps.push(clock.now() - START)
      }
      return 'done'
    })()
    await clock.advance(2500)
    expect(steps).toEqual([1000, 2000])
    await clock.advance(1500)
    expect(steps).toEqual([1000, 2000, 3000, 4000])
    await expect(work).resolves.toBe('done')
  })

  it('cancels a timer, and cancelling twice or after firing is harmless', async () => {
    const clock = new ManualClock(START)
    const fired: string[] = []
    const cancelA = clock.setTimer(100, () => fired.push('a'))
    clock.setTimer(100, () => fired.push('b'))
    expect(clock.pending).toBe(2)
    cancelA()
    cancelA()
    expect(clock.pending).toBe(1)
    await clock.advance(1000)
    expect(fired).toEqual(['b'])
    const cancelC = clock.setTimer(10, () => fired.push('c'))
    await clock.advance(10)
    cancelC()
    expect(fired).toEqual(['b', 'c'])
    expect(clock.pending).toBe(0)
  })

  it('a timer can cancel another one due in the same window', async () => {
    const clock = new ManualClock(START)
    const fired: string[] = []
    let cancelLater = () => {}
    clock.setTimer(100, () => {
      fired.push('first')
      cancelLater()
    })
    cancelLater = clock.setTimer(200, () => fired.push('later'))
    await clock.advance(500)
    expect(fired).toEqual(['first'])
    expect(clock.pending).toBe(0)
  })
})

describe('RealClock', () => {
  it('runs simulated time faster: sleep(1000) at speed 100 takes about 10 ms of real time', async () => {
    const clock = new RealClock(100)
    const realStart = performance.now()
    const simStart = clock.now()
    await clock.sleep(1000)
    const real = performance.now() - realStart
    expect(real).toBeGreaterThanOrEqual(8)
    // Generous for a loaded machine: at speed 1 this would be a full second.
    expect(real).toBeLessThan(200)
    expect(clock.now() - simStart).toBeGreaterThanOrEqual(900)
  })

  it('advances now() by real elapsed time times the speed', async () => {
    const clock = new RealClock(50)
    const before = clock.now()
    const realStart = Date.now()
    await new Promise((resolve) => setTimeout(resolve, 20))
    const elapsedReal = Date.now() - realStart
    const elapsedSim = clock.now() - before
    expect(elapsedSim).toBeGreaterThanOrEqual((elapsedReal - 2) * 50)
    expect(elapsedSim).toBeLessThanOrEqual((elapsedReal + 2) * 50)
    expect(Math.abs(new RealClock().now() - Date.now())).toBeLessThan(50)
  })

  it('fires timers in order and can cancel one', async () => {
    const clock = new RealClock(100)
    const fired: string[] = []
    clock.setTimer(2000, () => fired.push('b'))
    clock.setTimer(500, () => fired.push('a'))
    const cancel = clock.setTimer(1000, () => fired.push('cancelled'))
    cancel()
    await clock.sleep(3000)
    expect(fired).toEqual(['a', 'b'])
  })

  it('rejects a speed that is not positive', () => {
    for (const speed of [0, -1, Number.NaN]) {
      expect(() => new RealClock(speed)).toThrow(RangeError)
    }
    expect(() => new RealClock(0)).toThrow('clock speed must be > 0, got 0')
    expect(() => new RealClock(0.5)).not.toThrow()
  })
})
