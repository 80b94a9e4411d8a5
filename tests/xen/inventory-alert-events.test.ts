/**
 * Issue #11: the inventory also reports hosts joining and leaving a pool, and XAPI messages coming and
 * going (each once: a refetch after EVENTS_LOST repeats nothing), which the alert detectors need.
 */
import { describe, expect, it } from 'vitest'
import type { InventoryChange } from '../../src/core/ports.js'
import { ManualClock, startSim } from '../helpers/sim.js'
import { callsSince, refOf, startXen, waitFor } from '../helpers/xen.js'

async function legacy() {
  const sim = await startSim({ scenario: 'demo', clock: new ManualClock() })
  const xen = startXen(sim, { pools: ['lab-legacy'] })
  await xen.ready()
  const pool = sim.pool('lab-legacy').pool
  const changes: InventoryChange[] = []
  xen.inventory.onChange((c) => changes.push(c))
  return { xen, pool, changes }
}

const describeChange = (c: InventoryChange) => {
  switch (c.kind) {
    case 'host-added':
    case 'host-removed':
      return `${c.kind} ${c.host.pool}/${c.host.name} ${c.host.brand} ${c.host.version}`
    case 'message-added':
    case 'message-removed':
      return `${c.kind} ${c.message.name} on ${c.message.vm?.name ?? c.message.objUuid}: ${c.message.body}`
    default:
      return c.kind
  }
}

describe('hosts and messages in the inventory', () => {
  it('a host joining and leaving: one event each, with its product', async () => {
    const { pool, changes } = await legacy()
    const ref = pool.store.create('host', {
      name_label: 'xs76-d',
      software_version: { product_brand: 'XenServer', product_version: '7.6.0' },
    })
    await waitFor(() => changes.length > 0, 5000, 'the join')
    pool.store.destroy('host', ref)
    await waitFor(() => changes.length > 1, 5000, 'the leave')
    expect(changes.map(describeChange)).toEqual([
      'host-added lab-legacy/xs76-d XenServer 7.6.0',
      'host-removed lab-legacy/xs76-d XenServer 7.6.0',
    ])
  })

  it('a message about a VM: added once with the VM, removed once; a refetch repeats neither', async () => {
    const { pool, changes } = await legacy()
    const vm = pool.store.get('VM', refOf(pool, 'VM', 'web-2'))
    const ref = pool.store.create('message', {
      name: 'VM_CRASHED',
      priority: 1,
      cls: 'VM',
      obj_uuid: String(vm.uuid),
      body: 'crashed',
    })
    await waitFor(() => changes.length > 0, 5000, 'the message')
    const counts = new Map(pool.callCounts)
    pool.faults.eventsLost = true
    pool.store.update('VM', refOf(pool, 'VM', 'web-1'), { tags: ['wake'] })
    await waitFor(() => callsSince(pool, counts)['message.get_all_records'] === 1, 5000, 'the refetch')
    pool.store.destroy('message', ref)
    await waitFor(() => changes.some((c) => c.kind === 'message-removed'), 5000, 'the removal')
    expect(
      changes.filter((c) => c.kind.startsWith('message') || c.kind.startsWith('host')).map(describeChange),
    ).toEqual(['message-added VM_CRASHED on web-2: crashed', 'message-removed VM_CRASHED on web-2: crashed'])
  })
})
