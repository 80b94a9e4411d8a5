/**
 * The live inventory against the demo scenario: both pools synced into VmSummaries, lookup across
 * pools, and typed change events that follow the pools' event streams — recomputing only what a
 * change touches, and re-parsing no XML for changes that leave docker_* alone. The simulated clock is
 * manual, so nothing changes unless a test changes it (no restart-policy churn).
 */
import { describe, expect, it } from 'vitest'
import type { InventoryChange, VmSummary } from '../../src/core/ports.js'
import type { SimPool } from '../../src/sim/sim-pool.js'
import { ManualClock, startSim } from '../helpers/sim.js'
import { capturingLog, driveClock, refOf, startXen, type TestXen, waitFor } from '../helpers/xen.js'

async function demo() {
  const clock = new ManualClock()
  const sim = await startSim({ scenario: 'demo', clock })
  const xen = startXen(sim)
  await xen.ready()
  const legacy = sim.pool('lab-legacy').pool
  const modern = sim.pool('lab-modern').pool
  const changes: InventoryChange[] = []
  xen.inventory.onChange((change) => changes.push(change))
  return { sim, clock, xen, legacy, modern, changes }
}

function vmNamed(xen: TestXen, name: string, pool = 'lab-legacy'): VmSummary {
  const vm = xen.inventory.vms({ pool }).find((v) => v.name === name)
  if (!vm) throw new Error(`no VM ${name} in the inventory of ${pool}`)
  return vm
}

const uuidOf = (pool: SimPool, name: string) => String(pool.store.get('VM', refOf(pool, 'VM', name)).uuid)

describe('initial sync', () => {
  it('syncs both pools: plain VMs only, sorted by pool then name', async () => {
    const { xen } = await demo()
    expect(xen.inventory.pools().map((p) => [p.name, p.state, p.reason])).toEqual([
      ['lab-legacy', 'synced', undefined],
      ['lab-modern', 'synced', undefined],
    ])
    // No templates (CoreOS, Flatcar…), no control domains.
    expect(xen.inventory.vms().map((v) => `${v.pool}/${v.name}`)).toEqual([
      'lab-legacy/builder-no-tools',
      'lab-legacy/edge-proxy',
      'lab-legacy/ldap-appliance',
      'lab-legacy/legacy-db',
      'lab-legacy/registry',
      'lab-legacy/web-1',
      'lab-legacy/web-2',
      'lab-modern/backup-server',
      'lab-modern/ci-runner',
      'lab-modern/metrics',
      'lab-modern/staging-app',
    ])
    expect(xen.inventory.vms({ pool: 'lab-modern' })).toHaveLength(4)
    expect(xen.inventory.vms({ pool: 'no-such-pool' })).toEqual([])
  })

  it('summarises each VM from the cached records: power, host, main IP, backend, containers', async () => {
    const { xen, legacy } = await demo()
    const web1 = vmNamed(xen, 'web-1')
    const hostA = refOf(legacy, 'host', 'xs76-a')
    expect(web1).toMatchObject({
      pool: 'lab-legacy',
      uuid: uuidOf(legacy, 'web-1'),
      name: 'web-1',
      power: 'running',
      host: { name: 'xs76-a', uuid: legacy.store.get('host', hostA).uuid },
      ip: '10.10.0.11',
      tags: [],
      docker: {
        monitor: 'enabled',
        backend: { kind: 'xscontainer', reason: 'registered with xscontainer (xscontainer-monitor is on)' },
        unreadable: undefined,
      },
    })
    expect(web1.docker.containers?.map((c) => [c.name, c.state, c.status])).toEqual([
      ['nginx-front', 'running', 'Up'],
      ['redis-cache', 'running', 'Up'],
      ['WebAPI', 'running', 'Up'],
      ['nightly-report', 'exited', 'Exited (0)'],
      ['image-resizer', 'paused', 'Up (Paused)'],
    ])
    const nginx = web1.docker.containers?.[0]
    expect(nginx?.key).toBe(nginx?.id.slice(0, 10))
    expect(nginx?.labels).toMatchObject({ 'com.example.team': 'web & edge', 'com.example.tier': 'frontend' })
    expect(nginx?.ports).toContainEqual({ ip: '0.0.0.0', privatePort: '80', publicPort: '8080', type: 'tcp' })
    expect(web1.docker.info?.Name).toBe('web-1')
    expect(web1.docker.version?.Version).toBe('20.10.24')

    expect(vmNamed(xen, 'legacy-db')).toMatchObject({
      power: 'halted',
      host: undefined,
      docker: { containers: undefined },
    })
    expect(vmNamed(xen, 'builder-no-tools')).toMatchObject({ ip: undefined, docker: { containers: undefined } })
    expect(vmNamed(xen, 'ldap-appliance')).toMatchObject({
      host: { name: 'xs76-c' },
      docker: { monitor: 'absent', backend: { kind: 'none' }, containers: undefined },
    })
    expect(vmNamed(xen, 'metrics', 'lab-modern')).toMatchObject({
      power: 'running',
      host: { name: 'xcp83-b' },
      ip: '10.20.0.21',
      // Tagged "docker" in the demo: Docker over SSH on a pool without xscontainer.
      docker: { monitor: 'absent', backend: { kind: 'ssh' } },
    })
  })

  it('flags edge-proxy: its docker_ps is malformed, with the parser reason, while its other keys and VMs read fine', async () => {
    const { xen } = await demo()
    const edge = vmNamed(xen, 'edge-proxy')
    expect(edge.docker.containers).toBeUndefined()
    expect(edge.docker.unreadable).toMatch(
      /^docker_ps: InvalidTag: Tag 'traefik\.http\.routers\.dashboard@internal\.rule' is an invalid name\. \(line 1, column \d+\)$/,
    )
    expect(edge.docker.info?.Name).toBe('edge-proxy')
    const readable = xen.inventory.vms({ pool: 'lab-legacy' }).filter((v) => v.docker.containers)
    expect(readable.map((v) => [v.name, v.docker.containers?.length, v.docker.unreadable])).toEqual([
      ['registry', 3, undefined],
      ['web-1', 5, undefined],
      ['web-2', 5, undefined],
    ])
  })
})

describe('lookup', () => {
  it('finds by name, UUID, UUID prefix and name prefix, case-insensitively', async () => {
    const { xen, legacy } = await demo()
    const uuid = uuidOf(legacy, 'registry')
    const found = (query: string) => {
      const lookup = xen.inventory.findVm(query)
      return lookup.kind === 'found' ? `${lookup.vm.pool}/${lookup.vm.name}` : lookup.kind
    }
    expect(found('registry')).toBe('lab-legacy/registry')
    expect(found(uuid)).toBe('lab-legacy/registry')
    expect(found(uuid.toUpperCase())).toBe('lab-legacy/registry')
    expect(found(uuid.slice(0, 8))).toBe('lab-legacy/registry')
    expect(found('REGIS')).toBe('lab-legacy/registry')
    expect(found('Backup')).toBe('lab-modern/backup-server')
    expect(found('lab-modern/ci')).toBe('lab-modern/ci-runner')
    expect(found('lab-legacy/ci')).toBe('not-found')
    expect(found('no-such-vm')).toBe('not-found')
  })

  it('an ambiguous name lists its candidates with their pools; pool/name picks one', async () => {
    const { xen, modern } = await demo()
    const prefix = xen.inventory.findVm('web')
    expect(prefix.kind === 'ambiguous' && prefix.candidates.map((c) => `${c.pool}/${c.name}`)).toEqual([
      'lab-legacy/web-1',
      'lab-legacy/web-2',
    ])
    // The same name in both pools.
    modern.store.update('VM', refOf(modern, 'VM', 'metrics'), { name_label: 'web-1' })
    await waitFor(() => xen.inventory.vms({ pool: 'lab-modern' }).some((v) => v.name === 'web-1'))
    const both = xen.inventory.findVm('web-1')
    expect(both.kind === 'ambiguous' && both.candidates.map((c) => [c.pool, c.name, c.ip])).toEqual([
      ['lab-legacy', 'web-1', '10.10.0.11'],
      ['lab-modern', 'web-1', '10.20.0.21'],
    ])
    const scoped = xen.inventory.findVm('lab-modern/web-1')
    expect(scoped.kind === 'found' && [scoped.vm.pool, scoped.vm.host?.name]).toEqual(['lab-modern', 'xcp83-b'])
  })
})

describe('change events', () => {
  it('VM.hard_shutdown: power-changed running → halted, and no container events for the wiped docker_ps', async () => {
    const { xen, clock, legacy, changes } = await demo()
    const client = xen.connections.find((c) => c.name === 'lab-legacy')?.client
    if (!client) throw new Error('lab-legacy has no client')
    await driveClock(clock, client.call('VM.hard_shutdown', refOf(legacy, 'VM', 'registry')))
    const power = await waitFor(() => changes.find((c) => c.kind === 'power-changed'))
    expect(power.kind === 'power-changed' && [power.vm.name, power.from, power.to, power.vm.host]).toEqual([
      'registry',
      'running',
      'halted',
      undefined,
    ])
    // The monitor stops watching a halted VM and removes its keys: the list disappears as a whole.
    await waitFor(() => vmNamed(xen, 'registry').docker.containers === undefined)
    // (Driving the clock lets web-2's crash-looping queue-worker move too: only registry's events count.)
    const registry = changes.filter((c) => 'vm' in c && c.vm.name === 'registry')
    expect(registry.filter((c) => c.kind !== 'vm-changed' && c.kind !== 'power-changed')).toEqual([])
    expect(registry.filter((c) => c.kind === 'power-changed')).toHaveLength(1)
  })

  it('the sync parses no XML; a read parses only the document it needs, once', async () => {
    const { xen } = await demo()
    expect(xen.inventory.xmlCache.parses).toBe(0)
    const web1 = vmNamed(xen, 'web-1')
    expect(web1.docker.containers).toHaveLength(5)
    expect(xen.inventory.xmlCache.parses).toBe(1)
    expect(vmNamed(xen, 'web-1').docker.containers).toHaveLength(5)
    expect(xen.inventory.xmlCache.parses).toBe(1)
    // unreadable needs all three documents of the VM; docker_ps is already parsed.
    expect(web1.docker.unreadable).toBeUndefined()
    expect(xen.inventory.xmlCache.parses).toBe(3)
  })

  it('a container stop: container-changed with the old and new state, and exactly one re-parse', async () => {
    const { xen, changes } = await demo()
    // Read once (as /docker ps would), so the old list is parsed before the change.
    expect(vmNamed(xen, 'web-1').docker.containers).toHaveLength(5)
    const parsesBefore = xen.inventory.xmlCache.parses
    await xen.xscontainer.act(vmNamed(xen, 'web-1'), 'redis-cache', 'stop')
    const changed = await waitFor(() => changes.find((c) => c.kind === 'container-changed'))
    if (changed.kind !== 'container-changed') throw new Error('unreachable')
    expect([changed.vm.name, changed.container.name]).toEqual(['web-1', 'redis-cache'])
    expect([changed.previous.state, changed.previous.status]).toEqual(['running', 'Up'])
    expect([changed.container.state, changed.container.status]).toEqual(['exited', 'Exited (0)'])
    expect(changes.map((c) => c.kind)).toEqual(['vm-changed', 'container-changed'])
    expect(xen.inventory.xmlCache.parses).toBe(parsesBefore + 1)
  })

  it('a container stop on a VM never read parses its old and new docker_ps, and nothing else', async () => {
    const { xen, changes } = await demo()
    await xen.xscontainer.act(vmNamed(xen, 'web-1'), 'redis-cache', 'stop')
    const changed = await waitFor(() => changes.find((c) => c.kind === 'container-changed'))
    expect(changed.kind === 'container-changed' && [changed.previous.state, changed.container.state]).toEqual([
      'running',
      'exited',
    ])
    expect(xen.inventory.xmlCache.parses).toBe(2)
  })

  it('an unrelated VM change re-parses no XML, even on a VM whose docker_ps is cached', async () => {
    const { xen, legacy, changes } = await demo()
    const parsesBefore = xen.inventory.xmlCache.parses
    legacy.store.update('VM', refOf(legacy, 'VM', 'ldap-appliance'), { name_description: 'changed' })
    legacy.store.update('VM', refOf(legacy, 'VM', 'web-1'), { name_description: 'changed too' })
    // A visible change after them: once it is in, the two before it were processed.
    legacy.store.update('VM', refOf(legacy, 'VM', 'web-1'), { tags: ['prod'] })
    await waitFor(() => vmNamed(xen, 'web-1').tags.length === 1)
    expect(vmNamed(xen, 'web-1').tags).toEqual(['prod'])
    expect(xen.inventory.xmlCache.parses).toBe(parsesBefore)
    // Descriptions are not in the summary: the only event is the tag change.
    expect(changes.map((c) => [c.kind, 'vm' in c ? c.vm.name : ''])).toEqual([['vm-changed', 'web-1']])
  })

  it('follows guest metrics (main IP) and host renames to the VMs they touch', async () => {
    const { xen, legacy, changes } = await demo()
    const metrics = String(legacy.store.get('VM', refOf(legacy, 'VM', 'web-1')).guest_metrics)
    legacy.store.update('VM_guest_metrics', metrics, { networks: { '0/ipv6/0': 'fe80::11' } })
    await waitFor(() => vmNamed(xen, 'web-1').ip === 'fe80::11')
    legacy.store.update('host', refOf(legacy, 'host', 'xs76-b'), { name_label: 'xs76-b-renamed' })
    await waitFor(() => vmNamed(xen, 'web-2').host?.name === 'xs76-b-renamed')
    expect(vmNamed(xen, 'edge-proxy').host?.name).toBe('xs76-b-renamed')
    expect(vmNamed(xen, 'web-1').host?.name).toBe('xs76-a')
    expect(changes.map((c) => ('vm' in c ? c.vm.name : c.kind))).toEqual(['web-1', 'web-2', 'edge-proxy'])
  })

  it('VM.destroy: vm-removed, and the event stream goes on afterwards', async () => {
    const { xen, legacy, changes } = await demo()
    const client = xen.connections.find((c) => c.name === 'lab-legacy')?.client
    await client?.call('VM.destroy', refOf(legacy, 'VM', 'legacy-db'))
    const removed = await waitFor(() => changes.find((c) => c.kind === 'vm-removed'))
    expect(removed.kind === 'vm-removed' && removed.vm.name).toBe('legacy-db')
    expect(xen.inventory.vms({ pool: 'lab-legacy' })).toHaveLength(6)
    expect(xen.inventory.findVm('legacy-db')).toEqual({ kind: 'not-found' })
    legacy.store.update('VM', refOf(legacy, 'VM', 'web-2'), { tags: ['after'] })
    await waitFor(() => vmNamed(xen, 'web-2').tags[0] === 'after')
  })

  it('a template or snapshot flag turns a VM into something the inventory does not list', async () => {
    const { xen, legacy, changes } = await demo()
    legacy.store.update('VM', refOf(legacy, 'VM', 'ldap-appliance'), { is_a_snapshot: true })
    await waitFor(() => changes.some((c) => c.kind === 'vm-removed'))
    expect(xen.inventory.vms({ pool: 'lab-legacy' }).map((v) => v.name)).not.toContain('ldap-appliance')
  })

  it('a listener that throws is logged; the other listeners and later changes are unaffected', async () => {
    const sim = await startSim({ scenario: 'demo', clock: new ManualClock() })
    const { log, lines } = capturingLog()
    const xen = startXen(sim, { pools: ['lab-legacy'], log })
    await xen.ready()
    const legacy = sim.pool('lab-legacy').pool
    const seen: string[] = []
    xen.inventory.onChange(() => {
      throw new Error('listener bug')
    })
    xen.inventory.onChange((c) => seen.push(`${c.kind} ${'vm' in c ? c.vm.name : ''}`))
    legacy.store.update('VM', refOf(legacy, 'VM', 'web-1'), { tags: ['a'] })
    await waitFor(() => vmNamed(xen, 'web-1').tags[0] === 'a')
    legacy.store.update('VM', refOf(legacy, 'VM', 'web-2'), { tags: ['b'] })
    await waitFor(() => vmNamed(xen, 'web-2').tags[0] === 'b')
    expect(seen).toEqual(['vm-changed web-1', 'vm-changed web-2'])
    const failures = lines.filter((l) => l.msg === 'an inventory listener failed')
    expect(failures.map((l) => [(l.err as { message: string }).message, l.change])).toEqual([
      ['listener bug', 'vm-changed'],
      ['listener bug', 'vm-changed'],
    ])
  })

  it('unsubscribing stops the events', async () => {
    const { xen, legacy } = await demo()
    const seen: InventoryChange[] = []
    const off = xen.inventory.onChange((c) => seen.push(c))
    off()
    legacy.store.update('VM', refOf(legacy, 'VM', 'web-1'), { tags: ['x'] })
    await waitFor(() => vmNamed(xen, 'web-1').tags[0] === 'x')
    expect(seen).toEqual([])
  })
})
