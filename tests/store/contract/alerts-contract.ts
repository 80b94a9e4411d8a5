/**
 * The contract of AlertStore: one live alert per condition, decisions with one winner (acknowledge,
 * the one restart) even when two replicas press at once, pending posts, digests, mutes, pruning, and
 * `atomically`: one transaction that commits whole or not at all, serialised with other calls.
 */
import { describe, expect, it } from 'vitest'
import type { AlertStore, DigestRecord } from '../../../src/alerts/alert-types.js'
import { ALERT_AT, alertRecord } from '../store-helpers.js'
import type { ContractOptions, OpenHarness } from './contract-harness.js'

const at = ALERT_AT
const ops = { platform: 'shell', channel: 'ops' }
const web = { platform: 'shell', channel: 'web' }

const digest = (over: Partial<DigestRecord> = {}): DigestRecord => ({
  id: 'd1',
  ...ops,
  reason: 'storm',
  events: 1,
  byKind: { 'container-exited': 1 },
  recent: ['bbbbbbbb exited'],
  openedAt: at,
  updatedAt: at,
  closed: false,
  ...over,
})

/** Adds one to the alert's occurrences, reading first and yielding between the read and the write. */
const bump = (alerts: AlertStore) =>
  alerts.atomically(async (tx) => {
    const current = await tx.get('aaaaaaaa')
    await new Promise((resolve) => setImmediate(resolve)) // let another callback run if it could
    await tx.update('aaaaaaaa', { occurrences: (current?.occurrences ?? 0) + 1 })
  })

export function alertsContract(setup: OpenHarness, options: ContractOptions): void {
  const open = async () => (await setup()).open()

  describe('alerts', () => {
    it('keeps one live alert per condition; the newest of a key is its latest', async () => {
      const { alerts } = await open()
      expect(await alerts.create(alertRecord('aaaaaaaa', 'k'), [ops])).toEqual(alertRecord('aaaaaaaa', 'k'))
      await expect(alerts.create(alertRecord('bbbbbbbb', 'k'), [ops])).rejects.toThrow(/unique constraint/i)
      expect(await alerts.get('bbbbbbbb')).toBeUndefined()
      expect((await alerts.live('k'))?.id).toBe('aaaaaaaa')
      await alerts.update('aaaaaaaa', { state: 'resolved', resolvedAt: at + 1, resolution: 'back up' })
      expect(await alerts.live('k')).toBeUndefined()
      await alerts.create({ ...alertRecord('bbbbbbbb', 'k'), firstAt: at + 2 }, [ops])
      expect((await alerts.latest('k'))?.id).toBe('bbbbbbbb')
      expect((await alerts.unresolved()).map((a) => a.id)).toEqual(['bbbbbbbb'])
      expect(await alerts.get('aaaaaaaa')).toEqual({
        ...alertRecord('aaaaaaaa', 'k'),
        state: 'resolved',
        resolvedAt: at + 1,
        resolution: 'back up',
      })
    })

    it('a patch with undefined clears a field; acknowledge and the restart claim have one winner each', async () => {
      const { alerts } = await open()
      await alerts.create({ ...alertRecord('aaaaaaaa'), detail: 'x' }, [ops])
      expect((await alerts.update('aaaaaaaa', { detail: undefined })).detail).toBeUndefined()
      expect((await alerts.acknowledge('aaaaaaaa', 'alice', at))?.ackedBy).toBe('alice')
      expect(await alerts.acknowledge('aaaaaaaa', 'bob', at)).toBeUndefined()
      expect(await alerts.get('aaaaaaaa')).toMatchObject({ state: 'acknowledged', ackedBy: 'alice', ackedAt: at })
      expect(await alerts.claimRestart('aaaaaaaa', 'alice', at)).toBe(true)
      expect(await alerts.claimRestart('aaaaaaaa', 'bob', at)).toBe(false)
      expect((await alerts.get('aaaaaaaa'))?.restart).toEqual({ by: 'alice', at })
      await expect(alerts.update('nope', { detail: 'y' })).rejects.toThrow('no alert nope')
      expect(await alerts.acknowledge('nope', 'alice', at)).toBeUndefined()
      expect(await alerts.claimRestart('nope', 'alice', at)).toBe(false)
    })

    it('a resolved alert cannot be acknowledged or restarted', async () => {
      const { alerts } = await open()
      await alerts.create(alertRecord('aaaaaaaa'), [ops])
      await alerts.update('aaaaaaaa', { state: 'resolved', resolvedAt: at })
      expect(await alerts.acknowledge('aaaaaaaa', 'alice', at)).toBeUndefined()
      expect(await alerts.claimRestart('aaaaaaaa', 'alice', at)).toBe(false)
    })

    it('presses on two replicas at once: one acknowledgement and one restart claim win', async () => {
      const harness = await setup()
      const [a, b] = [await harness.open(), await harness.open()]
      await a.alerts.create(alertRecord('aaaaaaaa'), [ops])
      const acks = await Promise.all([
        a.alerts.acknowledge('aaaaaaaa', 'alice', at),
        b.alerts.acknowledge('aaaaaaaa', 'bob', at),
      ])
      expect(acks.filter((x) => x !== undefined)).toHaveLength(1)
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).alerts.claimRestart('aaaaaaaa', `u${i}`, at)),
      )
      expect(claims.filter(Boolean)).toHaveLength(1)
      const final = await b.alerts.get('aaaaaaaa')
      expect(final?.ackedBy).toBe(acks.find((x) => x !== undefined)?.ackedBy)
      expect(final?.restart?.by).toBe(`u${claims.indexOf(true)}`)
    })

    it('posts are pending until a message or a digest takes them; another Store sees them', async () => {
      const harness = await setup()
      const first = await harness.open()
      await first.alerts.create(alertRecord('aaaaaaaa'), [ops, web])
      await first.alerts.create({ ...alertRecord('bbbbbbbb'), firstAt: at + 1 }, [ops])
      expect((await first.alerts.posts('aaaaaaaa')).map((p) => p.channel).sort()).toEqual(['ops', 'web'])
      await first.alerts.setPost({ alertId: 'aaaaaaaa', ...ops, messageId: 'm1' })
      await first.alerts.saveDigest(digest())
      await first.alerts.setPost({ alertId: 'bbbbbbbb', ...ops, digestId: 'd1' })
      await first.close()
      const again = await harness.open()
      expect((await again.alerts.pendingPosts()).map((p) => [p.alertId, p.channel])).toEqual([['aaaaaaaa', 'web']])
      expect(await again.alerts.posts('bbbbbbbb')).toEqual([
        { alertId: 'bbbbbbbb', ...ops, messageId: undefined, digestId: 'd1' },
      ])
      expect(await again.alerts.openDigest(ops, 'storm')).toEqual(digest())
      expect(await again.alerts.openDigest(ops, 'quiet')).toBeUndefined()
      expect(await again.alerts.digestAlerts('d1')).toEqual({ total: 1, unresolved: 1 })
      await again.alerts.update('bbbbbbbb', { state: 'resolved', resolvedAt: at + 5 })
      expect(await again.alerts.digestAlerts('d1')).toEqual({ total: 1, unresolved: 0 })
      await again.alerts.saveDigest(digest({ events: 2, closed: true }))
      expect(await again.alerts.openDigest(ops, 'storm')).toBeUndefined()
      expect(await again.alerts.digest('d1')).toMatchObject({ events: 2, closed: true })
    })

    it('mutes lapse; pruning forgets alerts resolved before the cut-off with their posts, never live ones', async () => {
      const { alerts } = await open()
      await alerts.mute('k', at + 60_000, 'alice')
      expect(await alerts.muted('k', at)).toEqual({ until: at + 60_000, by: 'alice' })
      expect(await alerts.muted('k', at + 60_000)).toBeUndefined()
      await alerts.create(alertRecord('aaaaaaaa'), [ops])
      await alerts.create(alertRecord('bbbbbbbb'), [ops])
      await alerts.create(alertRecord('cccccccc'), [ops])
      await alerts.saveDigest(digest({ closed: true }))
      await alerts.setPost({ alertId: 'aaaaaaaa', ...ops, digestId: 'd1' })
      await alerts.update('aaaaaaaa', { state: 'resolved', resolvedAt: at })
      await alerts.update('cccccccc', { state: 'resolved', resolvedAt: at + 70_000 })
      expect(await alerts.prune(at + 60_001)).toBe(1)
      expect([await alerts.get('aaaaaaaa'), (await alerts.get('bbbbbbbb'))?.id]).toEqual([undefined, 'bbbbbbbb'])
      expect((await alerts.get('cccccccc'))?.state).toBe('resolved')
      expect(await alerts.posts('aaaaaaaa')).toEqual([])
      // The closed digest counted only the pruned alert: it went too. The mute lapsed before the cut-off.
      expect(await alerts.digest('d1')).toBeUndefined()
      expect(await alerts.muted('k', at)).toBeUndefined()
    })
  })

  describe('alerts: atomically', () => {
    it('commits the callback’s writes together, and the view sees its own writes', async () => {
      const harness = await setup()
      const store = await harness.open()
      const seen = await store.alerts.atomically(async (tx) => {
        await tx.create(alertRecord('aaaaaaaa'), [ops])
        await tx.update('aaaaaaaa', { occurrences: 2 })
        return (await tx.get('aaaaaaaa'))?.occurrences
      })
      expect(seen).toBe(2)
      expect((await (await harness.open()).alerts.get('aaaaaaaa'))?.occurrences).toBe(2)
    })

    it('rolls everything back when the callback throws, and the error comes out', async () => {
      const { alerts } = await open()
      await alerts.create(alertRecord('aaaaaaaa'), [ops])
      const failing = alerts.atomically(async (tx) => {
        await tx.create(alertRecord('bbbbbbbb'), [ops])
        await tx.update('aaaaaaaa', { occurrences: 5 })
        await tx.setPost({ alertId: 'aaaaaaaa', ...ops, messageId: 'm1' })
        throw new Error('the sender fell over')
      })
      await expect(failing).rejects.toThrow('the sender fell over')
      expect(await alerts.get('bbbbbbbb')).toBeUndefined()
      expect((await alerts.get('aaaaaaaa'))?.occurrences).toBe(1)
      expect((await alerts.pendingPosts()).map((p) => p.alertId)).toEqual(['aaaaaaaa'])
      // The store is usable after the rollback.
      expect(await alerts.atomically(async (tx) => (await tx.live('container-exited:lab/vm/aaaaaaaa'))?.id)).toBe(
        'aaaaaaaa',
      )
    })

    it('a nested atomically on the view joins the outer transaction', async () => {
      const { alerts } = await open()
      const failing = alerts.atomically(async (tx) => {
        await tx.atomically(async (inner) => {
          await inner.create(alertRecord('aaaaaaaa'), [ops])
        })
        expect((await tx.get('aaaaaaaa'))?.id).toBe('aaaaaaaa')
        throw new Error('undo all of it')
      })
      await expect(failing).rejects.toThrow('undo all of it')
      expect(await alerts.get('aaaaaaaa')).toBeUndefined()
    })

    it('calls are serialised: read-then-write callbacks racing lose no update', async () => {
      const { alerts } = await open()
      await alerts.create(alertRecord('aaaaaaaa'), [ops])
      await Promise.all(Array.from({ length: 10 }, () => bump(alerts)))
      expect((await alerts.get('aaaaaaaa'))?.occurrences).toBe(11)
    })

    it.runIf(options.replicas)('… and racing from two replicas too', async () => {
      const harness = await setup()
      const [a, b] = [await harness.open(), await harness.open()]
      await a.alerts.create(alertRecord('aaaaaaaa'), [ops])
      await Promise.all(Array.from({ length: 10 }, (_, i) => bump((i % 2 ? a : b).alerts)))
      expect((await a.alerts.get('aaaaaaaa'))?.occurrences).toBe(11)
    })
  })
}
