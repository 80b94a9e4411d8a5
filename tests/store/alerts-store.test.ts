/**
 * Issue #11, alert state in SQLite: one live alert per condition (the unique index says so even to a
 * second writer), decisions with one winner (acknowledging an open alert, claiming its one restart),
 * pending posts found again after a restart, digests, mutes, and pruning what was resolved long ago.
 */
import { describe, expect, it } from 'vitest'
import type { AlertRecord } from '../../src/alerts/alert-types.js'
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
  it('keeps one live alert per condition; the newest of a key is its live one', () => {
    const { alerts } = openTestStore()
    alerts.create(alert('aaaaaaaa', 'k'), [ops])
    expect(() => alerts.create(alert('bbbbbbbb', 'k'), [ops])).toThrow(/UNIQUE constraint failed: alerts.key/)
    alerts.update('aaaaaaaa', { state: 'resolved', resolvedAt: at + 1, resolution: 'back up' })
    expect(alerts.live('k')).toBeUndefined()
    alerts.create({ ...alert('bbbbbbbb', 'k'), firstAt: at + 2 }, [ops])
    expect(alerts.latest('k')?.id).toBe('bbbbbbbb')
    expect(alerts.unresolved().map((a) => a.id)).toEqual(['bbbbbbbb'])
  })

  it('a patch with undefined clears a field; acknowledge and the restart claim have one winner each', () => {
    const { alerts } = openTestStore()
    alerts.create({ ...alert('aaaaaaaa'), detail: 'x' }, [ops])
    expect(alerts.update('aaaaaaaa', { detail: undefined }).detail).toBeUndefined()
    expect(alerts.acknowledge('aaaaaaaa', 'alice', at)?.ackedBy).toBe('alice')
    expect(alerts.acknowledge('aaaaaaaa', 'bob', at)).toBeUndefined()
    expect(alerts.get('aaaaaaaa')).toMatchObject({ state: 'acknowledged', ackedBy: 'alice' })
    expect(alerts.claimRestart('aaaaaaaa', 'alice', at)).toBe(true)
    expect(alerts.claimRestart('aaaaaaaa', 'bob', at)).toBe(false)
    expect(alerts.get('aaaaaaaa')?.restart).toEqual({ by: 'alice', at })
  })

  it('posts are pending until a message or a digest takes them; they survive closing the store', async () => {
    const first = openTestStore()
    first.alerts.create(alert('aaaaaaaa'), [ops, { platform: 'shell', channel: 'web' }])
    first.alerts.create(alert('bbbbbbbb'), [ops])
    first.alerts.setPost({ alertId: 'aaaaaaaa', ...ops, messageId: 'm1' })
    first.alerts.saveDigest({
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
    first.alerts.setPost({ alertId: 'bbbbbbbb', ...ops, digestId: 'd1' })
    const path = first.path
    await first.close()
    const again = openTestStore({ dataDir: path.replace(/\/[^/]+$/, '') })
    expect(again.alerts.pendingPosts().map((p) => [p.alertId, p.channel])).toEqual([['aaaaaaaa', 'web']])
    expect(again.alerts.openDigest(ops, 'storm')?.events).toBe(1)
    expect(again.alerts.digestAlerts('d1')).toEqual({ total: 1, unresolved: 1 })
  })

  it('mutes lapse; pruning forgets alerts resolved before the cut-off, never open ones', () => {
    const { alerts } = openTestStore()
    alerts.mute('k', at + 60_000, 'alice')
    expect(alerts.muted('k', at)).toEqual({ until: at + 60_000, by: 'alice' })
    expect(alerts.muted('k', at + 60_000)).toBeUndefined()
    alerts.create(alert('aaaaaaaa'), [ops])
    alerts.create(alert('bbbbbbbb'), [ops])
    alerts.update('aaaaaaaa', { state: 'resolved', resolvedAt: at })
    expect(alerts.prune(at + 60_001)).toBe(1)
    expect([alerts.get('aaaaaaaa'), alerts.get('bbbbbbbb')?.id]).toEqual([undefined, 'bbbbbbbb'])
    // The mute lapsed before the cut-off too: it is gone (asked about an earlier time, it says so).
    expect(alerts.muted('k', at)).toBeUndefined()
  })
})
