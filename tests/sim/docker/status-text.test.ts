/**
 * docker/go-units HumanDuration and container/state.go's Status text, table-driven at every threshold,
 * plus the Go time formats the API uses.
 */
import { describe, expect, it } from 'vitest'
import {
  fixedNanoTime,
  goTime,
  humanDuration,
  type StateFlags,
  statusText,
} from '../../../src/sim/docker/docker-status-text.js'

const S = 1000
const M = 60 * S
const H = 60 * M
const D = 24 * H

describe('humanDuration (go-units)', () => {
  it.each([
    [-5 * S, 'Less than a second'],
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [1 * S, '1 second'],
    [1999, '1 second'],
    [2 * S, '2 seconds'],
    [45 * S, '45 seconds'],
    [59 * S + 999, '59 seconds'],
    [60 * S, 'About a minute'],
    [2 * M - 1, 'About a minute'],
    [2 * M, '2 minutes'],
    [5 * M, '5 minutes'],
    [59 * M + 59 * S, '59 minutes'],
    [60 * M, 'About an hour'],
    // hours are rounded: int(1.499… + 0.5) is still 1
    [89 * M + 59 * S, 'About an hour'],
    [90 * M, '2 hours'],
    [3 * H, '3 hours'],
    [47 * H + 29 * M, '47 hours'],
    // 47.5 h rounds to 48: days
    [47 * H + 30 * M, '2 days'],
    [2 * D, '2 days'],
    [13 * D + 23 * H, '13 days'],
    [14 * D, '2 weeks'],
    [3 * 7 * D, '3 weeks'],
    [59 * D, '8 weeks'],
    [60 * D, '2 months'],
    [4 * 30 * D, '4 months'],
    [729 * D, '24 months'],
    [730 * D, '2 years'],
    [3 * 365 * D, '3 years'],
  ])('%d ms → %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text)
  })
})

describe('Status text (State.String)', () => {
  const now = Date.UTC(2026, 0, 1, 12)
  const base: StateFlags = {
    running: false,
    paused: false,
    restarting: false,
    exitCode: 0,
    startedAt: null,
    finishedAt: null,
  }
  it.each<[string, Partial<StateFlags>, string]>([
    ['never started', {}, 'Created'],
    ['running 0.5 s', { running: true, startedAt: now - 500 }, 'Up Less than a second'],
    ['running 1 s', { running: true, startedAt: now - S }, 'Up 1 second'],
    ['running 45 s', { running: true, startedAt: now - 45 * S }, 'Up 45 seconds'],
    ['running 61 s', { running: true, startedAt: now - 61 * S }, 'Up About a minute'],
    ['running 5 min', { running: true, startedAt: now - 5 * M }, 'Up 5 minutes'],
    ['running 70 min', { running: true, startedAt: now - 70 * M }, 'Up About an hour'],
    ['running 3 h', { running: true, startedAt: now - 3 * H }, 'Up 3 hours'],
    ['running 2 d', { running: true, startedAt: now - 2 * D }, 'Up 2 days'],
    ['running 3 w', { running: true, startedAt: now - 21 * D }, 'Up 3 weeks'],
    ['running 4 mo', { running: true, startedAt: now - 120 * D }, 'Up 4 months'],
    ['running 2 y', { running: true, startedAt: now - 730 * D }, 'Up 2 years'],
    ['paused', { running: true, paused: true, startedAt: now - 3 * H }, 'Up 3 hours (Paused)'],
    ['exited', { exitCode: 137, startedAt: now - 2 * H, finishedAt: now - 5 * M }, 'Exited (137) 5 minutes ago'],
    [
      'restarting',
      { running: true, restarting: true, exitCode: 1, startedAt: now - 10 * S, finishedAt: now - 2 * S },
      'Restarting (1) 2 seconds ago',
    ],
  ])('%s → %s', (_label, flags, text) => {
    expect(statusText({ ...base, ...flags }, now)).toBe(text)
  })
})

describe('Go time formats', () => {
  it('marshals time.Time as RFC3339Nano without trailing zeros, zero time as year 1', () => {
    expect(goTime(Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00Z')
    expect(goTime(Date.UTC(2026, 0, 1, 0, 0, 0, 120))).toBe('2026-01-01T00:00:00.12Z')
    expect(goTime(Date.UTC(2026, 0, 1, 0, 0, 0, 7))).toBe('2026-01-01T00:00:00.007Z')
    expect(goTime(null)).toBe('0001-01-01T00:00:00Z')
  })

  it('prints docker logs timestamps with nine fractional digits', () => {
    expect(fixedNanoTime(Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00.000000000Z')
    expect(fixedNanoTime(Date.UTC(2026, 0, 1, 0, 0, 0, 120))).toBe('2026-01-01T00:00:00.120000000Z')
  })
})
