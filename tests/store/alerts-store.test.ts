/**
 * Issue #11, alert state in SQLite, what the store contract (tests/store/contract) does not show on
 * both engines: a failing statement inside `atomically` undoes what came before it, a plain call waits
 * for the transaction under way (SQLite serves one connection), and a view refuses calls after its
 * transaction ended.
 */
import { describe, expect, it } from 'vitest'
import type { AlertStore } from '../../src/alerts/alert-types.js'
import { ALERT_AT, alertRecord, openTestStore } from './store-helpers.js'

const at = ALERT_AT
const ops = { platform: 'shell', channel: 'ops' }

describe('the alert store', () => {
  it('a throw inside atomically rolls back every write of that transaction, and the store goes on', async () => {
    const { alerts } = openTestStore()
    await alerts.create(alertRecord('aaaaaaaa'), [ops])
    const boom = alerts.atomically(async (tx) => {
      await tx.create(alertRecord('bbbbbbbb'), [ops])
      await tx.update('aaaaaaaa', { state: 'resolved', resolvedAt: at, resolution: 'back up' })
      await tx.mute('k', at + 60_000, 'alice')
      await tx.setPost({ alertId: 'aaaaaaaa', ...ops, messageId: 'm1' })
      // Inside, the transaction sees its own writes.
      expect((await tx.get('bbbbbbbb'))?.id).toBe('bbbbbbbb')
      throw new Error('boom')
    })
    await expect(boom).rejects.toThrow('boom')
    expect(await alerts.get('bbbbbbbb')).toBeUndefined()
    expect((await alerts.get('aaaaaaaa'))?.state).toBe('open')
    expect(await alerts.muted('k', at)).toBeUndefined()
    expect(await alerts.pendingPosts()).toEqual([{ alertId: 'aaaaaaaa', ...ops }])
    // A failing statement (the unique live key) rolls back what came before it in the transaction too.
    await expect(
      alerts.atomically(async (tx) => {
        await tx.mute('k', at + 60_000, 'alice')
        await tx.create(alertRecord('cccccccc', 'container-exited:lab/vm/aaaaaaaa'), [ops])
      }),
    ).rejects.toThrow(/UNIQUE constraint failed/)
    expect(await alerts.muted('k', at)).toBeUndefined()
    // Then the next transaction commits as usual.
    expect(await alerts.atomically(async (tx) => (await tx.acknowledge('aaaaaaaa', 'bob', at))?.state)).toBe(
      'acknowledged',
    )
  })

  it('serialises: a second atomically, and a plain call, wait for the transaction under way', async () => {
    const { alerts } = openTestStore()
    const steps: string[] = []
    let release = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const first = alerts.atomically(async (tx) => {
      steps.push('first begins')
      await tx.create(alertRecord('aaaaaaaa'), [ops])
      await gate
      steps.push('first ends')
      throw new Error('rolled back')
    })
    const second = alerts.atomically(async (tx) => {
      steps.push('second begins')
      return (await tx.get('aaaaaaaa'))?.id ?? 'none'
    })
    const plain = alerts.mute('k', at + 60_000, 'alice').then(() => steps.push('plain mute'))
    // Let the loop turn: nothing after the first may start while it waits at its gate.
    await new Promise((resolve) => setImmediate(resolve))
    expect(steps).toEqual(['first begins'])
    release()
    await expect(first).rejects.toThrow('rolled back')
    // The second saw nothing of the first, which rolled back; the plain call was not rolled back with it.
    expect(await second).toBe('none')
    await plain
    expect(steps).toEqual(['first begins', 'first ends', 'second begins', 'plain mute'])
    expect(await alerts.muted('k', at)).toEqual({ until: at + 60_000, by: 'alice' })
  })

  it('a transaction view refuses calls once its transaction has ended', async () => {
    const { alerts } = openTestStore()
    let kept: AlertStore | undefined
    await alerts.atomically(async (tx) => {
      kept = tx
    })
    await expect(kept?.get('aaaaaaaa')).rejects.toThrow(/transaction has ended/)
  })
})
