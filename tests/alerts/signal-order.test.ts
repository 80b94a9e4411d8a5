/**
 * The engine over an asynchronous store: signals are applied strictly in the order they were emitted,
 * one at a time, each in one transaction — even when the store answers a turn of the loop later (as
 * PostgreSQL does, across a socket) and the next signal arrives while one is still being applied. The
 * store here is the real SQLite one behind a decorator of the AlertStore port that answers each call a
 * turn later and does not serialise transactions itself, so only the engine keeps them apart; the
 * decorator records which transaction each call was made in.
 */
import { describe, expect, it } from 'vitest'
import { AlertEngine } from '../../src/alerts/alert-engine.js'
import type { AlertSignal, AlertStore } from '../../src/alerts/alert-types.js'
import { alertsSchema } from '../../src/alerts/alerts-config.js'
import { silentLog } from '../../src/log.js'
import { ManualClock } from '../../src/sim/clock.js'
import { openTestStore } from '../store/store-helpers.js'

const config = alertsSchema.parse({ default: { platform: 'shell', channel: 'ops' } })

const firing = (name: string): AlertSignal => ({
  state: 'firing',
  kind: 'container-exited',
  key: `container-exited:lab/vm/${name}`,
  severity: 'warning',
  subject: { pool: 'lab', vm: { uuid: 'vm', name: 'web-1', tags: [] } },
  title: `${name} exited`,
})
const resolved = (name: string): AlertSignal => ({
  state: 'resolved',
  key: `container-exited:lab/vm/${name}`,
  resolution: 'back up',
})

/** `inner`, answering each call a turn of the loop later; `atomically` numbers its bodies and traces them. */
function slowStore(inner: AlertStore, trace: string[]): AlertStore {
  let sections = 0
  const view = (tag: string): AlertStore =>
    new Proxy(inner, {
      get(target, name) {
        const member: unknown = Reflect.get(target, name)
        if (typeof member !== 'function') return member
        if (name === 'atomically') {
          return async (fn: (tx: AlertStore) => Promise<unknown>) => {
            const n = ++sections
            trace.push(`${n} begin`)
            try {
              return await fn(view(String(n)))
            } finally {
              trace.push(`${n} end`)
            }
          }
        }
        return async (...args: unknown[]) => {
          await new Promise((resolve) => setImmediate(resolve))
          trace.push(`${tag} ${String(name)}`)
          return member.apply(target, args)
        }
      },
    })
  return view('outside')
}

function engineOver(store: AlertStore) {
  return new AlertEngine({
    config,
    store,
    clock: new ManualClock(Date.UTC(2026, 0, 5, 12, 0)),
    log: silentLog,
    buttons: { restart: false, logs: false },
  })
}

describe('signals over a store that answers later', () => {
  it('two overlapping signals are applied in order, one transaction after the other, never interleaved', async () => {
    const { alerts } = openTestStore()
    const trace: string[] = []
    const engine = engineOver(slowStore(alerts, trace))
    // Emitted back to back, as a detector does: the second arrives while the first is being applied.
    void engine.signal(firing('a'))
    void engine.signal(resolved('a'))
    void engine.signal(firing('b'))
    await engine.idle()

    // Every call was made inside a transaction, and each transaction ran whole before the next began.
    expect(trace.filter((line) => line.startsWith('outside'))).toEqual([])
    const sectionOf = trace.map((line) => Number(line.split(' ')[0]))
    expect(sectionOf).toEqual([...sectionOf].sort((x, y) => x - y))
    expect(new Set(sectionOf)).toEqual(new Set([1, 2, 3]))
    for (const n of [1, 2, 3]) {
      const lines = trace.filter((line) => line.startsWith(`${n} `))
      expect([lines[0], lines.at(-1)]).toEqual([`${n} begin`, `${n} end`])
    }
    // The resolution saw the alert its firing had just created.
    expect((await alerts.latest(firing('a').key))?.state).toBe('resolved')
    expect((await alerts.latest(firing('b').key))?.state).toBe('open')
    await engine.stop()
  })

  it("a reconcile's resolutions take its place among the signals, not the end of the queue", async () => {
    const { alerts } = openTestStore()
    const engine = engineOver(slowStore(alerts, []))
    void engine.signal(firing('a'))
    void engine.withUnresolved('lab', (open) => {
      for (const alert of open) void engine.signal({ state: 'resolved', key: alert.key, resolution: 'gone' })
    })
    // Fires again after the reconcile was asked for: it re-opens the alert the reconcile resolved.
    void engine.signal(firing('a'))
    await engine.idle()
    const a = await alerts.latest(firing('a').key)
    expect([a?.state, a?.occurrences]).toEqual(['open', 2])
    await engine.stop()
  })

  it('a signal is applied at the time it was emitted, not when its turn came', async () => {
    const { alerts } = openTestStore()
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0))
    const emittedAt = clock.now()
    const engine = new AlertEngine({
      config,
      store: slowStore(alerts, []),
      clock,
      log: silentLog,
      buttons: { restart: false, logs: false },
    })
    void engine.signal(firing('a'))
    void engine.signal(resolved('a'))
    // Time moves while the signals wait for the store.
    await clock.advance(60_000)
    await engine.idle()
    const a = await alerts.latest(firing('a').key)
    expect([a?.firstAt, a?.resolvedAt]).toEqual([emittedAt, emittedAt])
    await engine.stop()
  })
})
