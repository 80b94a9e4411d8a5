/**
 * Issue #11, alert state in SQLite: one live alert per condition (the unique index says so even to a
 * second writer), decisions with one winner (acknowledging an open alert, claiming its one restart),
 * pending posts found again after a restart, digests, mutes, and pruning what was resolved long ago.
 */
import { describe, expect, it } from 'vitest'
import type { AlertRecord, AlertStore } from '../../src/alerts/alert-types.js'
import { openTestStore } from './store-helpers.js'

const at = Date.UTC(2026, 0, 5, 12, 0)
const ops = { platform: 'shell', channel: 'ops' }

function alert(id: string, key = `container-exited:lab/vm/${id}`): AlertRecord {
  return {
    id,
    key,
    kind: 'container-exited',
    severity: 'warning',
    state: 'open',
    subject: { pool: 'lab', vm: { uuid: 'vm', name: 'web-1', tags: [] } },
    title: `${id} exited`,
    occurrences: 1,
    changes: [at],
    firstAt: at,
    lastAt: at,
    notifiedAt: at,
  }
}

describe('the alert store', () => {
  it('keeps one live alert per condition; the newest of a key is its live one', async () => {
    const { alerts } = openTestStore()
    await alerts.create(alert('aaaaaaaa', 'k'), [ops])
    await expect(alerts.create(alert('bbbbbbbb', 'k'), [ops])).rejects.toThrow(/UNIQUE constraint failed: alerts.key/)
    await alerts.update('aaaaaaaa', { state: 'resolved', resolvedAt: at + 1, resolution: 'back up' })
    expect(await alerts.live('k')).toBeUndefined()
    await alerts.create({ ...alert('bbbbbbbb', 'k'), firstAt: at + 2 }, [ops])
    expect((await alerts.latest('k'))?.id).toBe('bbbbbbbb')
    expect((await alerts.unresolved()).map((a) => a.id)).toEqual(['bbbbbbbb'])
  })

  it('a patch with undefined clears a field; acknowledge and the restart claim have one winner each', async () => {
    const { alerts } = openTestStore()
    await alerts.create({ ...alert('aaaaaaaa'), detail: 'x' }, [ops])
    expect((await alerts.update('aaaaaaaa', { detail: undefined })).detail).toBeUndefined()
    expect((await alerts.acknowledge('aaaaaaaa', 'alice', at))?.ackedBy).toBe('alice')
    expect(await alerts.acknowledge('aaaaaaaa', 'bob', at)).toBeUndefined()
    expect(await alerts.get('aaaaaaaa')).toMatchObject({ state: 'acknowledged', ackedBy: 'alice' })
    expect(await alerts.claimRestart('aaaaaaaa', 'alice', at)).toBe(true)
    expect(await alerts.claimRestart('aaaaaaaa', 'bob', at)).toBe(false)
    expect((await alerts.get('aaaaaaaa'))?.restart).toEqual({ by: 'alice', at })
  })

  it('posts are pending until a message or a digest takes them; they survive closing the store', async () => {
    const first = openTestStore()
    await first.alerts.create(alert('aaaaaaaa'), [ops, { platform: 'shell', channel: 'web' }])
    await first.alerts.create(alert('bbbbbbbb'), [ops])
    await first.alerts.setPost({ alertId: 'aaaaaaaa', ...ops, messageId: 'm1' })
    await first.alerts.saveDigest({
      id: 'd1',
      ...ops,
      reason: 'storm',
      events: 1,
      byKind: { 'container-exited': 1 },
      recent: ['bbbbbbbb exited'],
      openedAt: at,
      updatedAt: at,
      closed: false,
    })
    await first.alerts.setPost({ alertId: 'bbbbbbbb', ...ops, digestId: 'd1' })
    const path = first.path
    await first.close()
    const again = openTestStore({ dataDir: path.replace(/\/[^/]+$/, '') })
    expect((await again.alerts.pendingPosts()).map((p) => [p.alertId, p.channel])).toEqual([['aaaaaaaa', 'web']])
    expect((await again.alerts.openDigest(ops, 'storm'))?.events).toBe(1)
    expect(await again.alerts.digestAlerts('d1')).toEqual({ total: 1, unresolved: 1 })
  })

  it('mutes lapse; pruning forgets alerts resolved before the cut-off, never open ones', async () => {
    const { alerts } = openTestStore()
    await alerts.mute('k', at + 60_000, 'alice')
    expect(await alerts.muted('k', at)).toEqual({ until: at + 60_000, by: 'alice' })
    expect(await alerts.muted('k', at + 60_000)).toBeUndefined()
    await alerts.create(alert('aaaaaaaa'), [ops])
    await alerts.create(alert('bbbbbbbb'), [ops])
    await alerts.update('aaaaaaaa', { state: 'resolved', resolvedAt: at })
    expect(await alerts.prune(at + 60_001)).toBe(1)
    expect([await alerts.get('aaaaaaaa'), (await alerts.get('bbbbbbbb'))?.id]).toEqual([undefined, 'bbbbbbbb'])
    // The mute lapsed before the cut-off too: it is gone (asked about an earlier time, it says so).
    expect(await alerts.muted('k', at)).toBeUndefined()
  })

  it('a throw inside atomically rolls back every write of that transaction, and the store goes on', async () => {
    const { alerts } = openTestStore()
    await alerts.create(alert('aaaaaaaa'), [ops])
    const boom = alerts.atomically(async (tx) => {
      await tx.create(alert('bbbbbbbb'), [ops])
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
        await tx.create(alert('cccccccc', 'container-exited:lab/vm/aaaaaaaa'), [ops])
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
      await tx.create(alert('aaaaaaaa'), [ops])
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
