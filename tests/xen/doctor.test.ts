/**
 * The doctor against the demo pools: it must report exactly the problems the scenario plants (xs76-c
 * without the pack, builder-no-tools without an IP, edge-proxy's unreadable docker_ps) and nothing
 * else as a problem; and a hung host must cost a "no answer" line, not the report.
 */
import { describe, expect, it } from 'vitest'
import type { DoctorCheck, DoctorReport } from '../../src/core/doctor-port.js'
import { problemCount } from '../../src/core/doctor-port.js'
import { isUserError } from '../../src/core/errors.js'
import { CANNOT_MONITOR, packVerdict, runDoctor, xscontainerSupported } from '../../src/xen/doctor.js'
import { startSim } from '../helpers/sim.js'
import { refOf, startXen, waitFor } from '../helpers/xen.js'

async function demo() {
  const sim = await startSim({ scenario: 'demo' })
  const xen = startXen(sim)
  await xen.ready()
  // The monitor writes docker_ps shortly after the sync: wait until the inventory has it.
  await waitFor(
    () => xen.inventory.vms().find((vm) => vm.name === 'web-1')?.docker.containers,
    5000,
    'web-1 containers',
  )
  return { sim, xen }
}

const problems = (report: DoctorReport) =>
  report.pools.flatMap((p) => p.checks.filter((c) => c.state === 'problem').map((c) => ({ pool: p.pool, ...c })))

const find = (report: DoctorReport, pool: string, subject: string, check: string): DoctorCheck => {
  const found = report.pools
    .find((p) => p.pool === pool)
    ?.checks.find((c) => c.subject === subject && c.check === check)
  if (!found) throw new Error(`no ${check} check for ${subject} in ${pool}`)
  return found
}

describe('runDoctor', () => {
  it('reports exactly the planted problems, each with its fix', async () => {
    const { xen } = await demo()
    const report = await runDoctor(xen.connections, xen.inventory, { probeTimeoutMs: 2000 })

    expect(report.pools.map((p) => [p.pool, p.state, p.master])).toEqual([
      ['lab-legacy', 'synced', 'xs76-a'],
      ['lab-modern', 'synced', 'xcp83-a'],
    ])
    expect(problems(report).map((p) => [p.pool, p.subject, p.check, p.detail])).toEqual([
      ['lab-legacy', 'xs76-c', 'xscontainer', 'xscontainer pack not installed'],
      ['lab-legacy', 'builder-no-tools', 'backend', 'no IP: install the guest tools'],
      [
        'lab-legacy',
        'edge-proxy',
        'backend',
        expect.stringMatching(/^10\.10\.0\.30 · xscontainer: container data unreadable \(docker_ps: .+\)$/),
      ],
    ])
    expect(problemCount(report.pools)).toBe(3)
    expect(find(report, 'lab-legacy', 'xs76-c', 'xscontainer').fix).toBe(
      'install the xscontainer supplemental pack on xs76-c: xe-install-supplemental-pack xscontainer.iso, then restart the toolstack (xe-toolstack-restart)',
    )
    expect(find(report, 'lab-legacy', 'builder-no-tools', 'backend').fix).toMatch(
      /xe-guest-utilities.*builder-no-tools/,
    )

    // Hosts: product and the pack.
    expect(find(report, 'lab-legacy', 'xs76-a', 'product').detail).toBe('XenServer 7.6.0 (build 137)')
    expect(find(report, 'lab-legacy', 'xs76-a', 'xscontainer')).toMatchObject({
      state: 'ok',
      detail: 'xscontainer pack installed',
    })
    expect(find(report, 'lab-legacy', 'xs76-b', 'xscontainer').state).toBe('ok')
    for (const host of ['xcp83-a', 'xcp83-b']) {
      expect(find(report, 'lab-modern', host, 'product').detail).toBe('XCP-ng 8.3.0 (build release/yangtze/master/45)')
      expect(find(report, 'lab-modern', host, 'xscontainer')).toMatchObject({
        state: 'info',
        detail: 'xscontainer is not supported on 8.3; Docker VMs use the SSH backend',
      })
    }

    // Pool-level facts.
    expect(find(report, 'lab-legacy', 'pool', 'templates')).toMatchObject({
      state: 'ok',
      detail: 'CoreOS template present',
    })
    expect(find(report, 'lab-modern', 'pool', 'templates')).toMatchObject({
      state: 'ok',
      detail: 'docker-ready: Flatcar Container Linux, Ubuntu 24.04 cloud-init',
    })
    expect(find(report, 'lab-legacy', 'pool', 'install ISOs').detail).toBe('coreos_production_iso_image.iso')
    expect(find(report, 'lab-modern', 'pool', 'install ISOs').detail).toBe('flatcar_production_iso_image.iso')
    // The key secrets are created lazily: their absence is information, and only legacy pools care.
    expect(find(report, 'lab-legacy', 'pool', 'xscontainer keys')).toMatchObject({
      state: 'info',
      detail: 'no SSH key pair secrets yet: xscontainer creates them on first use',
    })
    expect(report.pools[1]?.checks.some((c) => c.check === 'xscontainer keys')).toBe(false)

    // Docker VMs: healthy ones answer, a halted one is information, plain VMs are not listed.
    expect(find(report, 'lab-legacy', 'web-1', 'backend')).toMatchObject({
      state: 'ok',
      detail: '10.10.0.11 · xscontainer answers: 5 containers',
    })
    expect(find(report, 'lab-legacy', 'legacy-db', 'backend').state).toBe('info')
    expect(find(report, 'lab-modern', 'ci-runner', 'backend').state).toBe('info')
    expect(report.pools.flatMap((p) => p.checks.map((c) => c.subject))).not.toContain('ldap-appliance')
    expect(report.pools.flatMap((p) => p.checks.map((c) => c.subject))).not.toContain('backup-server')
  })

  it('checks one pool when asked, and names the known pools for an unknown one', async () => {
    const { xen } = await demo()
    const report = await runDoctor(xen.connections, xen.inventory, { pool: 'lab-modern', probeTimeoutMs: 2000 })
    expect(report.pools.map((p) => p.pool)).toEqual(['lab-modern'])
    expect(problemCount(report.pools)).toBe(0)
    const error = await runDoctor(xen.connections, xen.inventory, { pool: 'nope', probeTimeoutMs: 100 }).catch(
      (e: unknown) => e,
    )
    expect(isUserError(error)).toBe(true)
    expect((error as Error).message).toBe('there is no pool named "nope"; the pools are lab-legacy, lab-modern')
  })

  it('finishes within its probe timeout when hosts hang, and says which did not answer', async () => {
    const { sim, xen } = await demo()
    const faults = sim.pool('lab-legacy').pool.faults
    faults.hang('xscontainer.get_config_drive_default')
    try {
      const started = Date.now()
      const report = await runDoctor(xen.connections, xen.inventory, { probeTimeoutMs: 500 })
      const took = Date.now() - started
      expect(took).toBeGreaterThanOrEqual(450)
      expect(took).toBeLessThan(1500)
      for (const host of ['xs76-a', 'xs76-b']) {
        expect(find(report, 'lab-legacy', host, 'xscontainer')).toMatchObject({
          state: 'problem',
          detail: 'no answer within 0.5s to the xscontainer probe',
          fix: `check that ${host} is up and its toolstack answers (xe-toolstack-restart on ${host})`,
        })
      }
      // xs76-c has no plugin to hang in: its answer still arrives, and the rest of the report too.
      expect(find(report, 'lab-legacy', 'xs76-c', 'xscontainer').detail).toBe('xscontainer pack not installed')
      expect(find(report, 'lab-legacy', 'web-1', 'backend').state).toBe('ok')
      expect(problemCount(report.pools)).toBe(5)
    } finally {
      faults.release()
    }
  })

  it('a host whose whole toolstack hangs still gives a report', async () => {
    const { sim, xen } = await demo()
    const faults = sim.pool('lab-legacy').pool.faults
    faults.hang('host.call_plugin')
    try {
      const report = await runDoctor(xen.connections, xen.inventory, { probeTimeoutMs: 300 })
      expect(
        problems(report)
          .filter((p) => p.check === 'xscontainer')
          .map((p) => [p.subject, p.detail]),
      ).toEqual([
        ['xs76-a', 'no answer within 0.3s to the xscontainer probe'],
        ['xs76-b', 'no answer within 0.3s to the xscontainer probe'],
        ['xs76-c', 'no answer within 0.3s to the xscontainer probe'],
      ])
    } finally {
      faults.release()
    }
  })
})

describe('a monitored VM without container data', () => {
  it("carries the monitor's diagnosis from its 'cannot monitor' message", async () => {
    const { sim, xen } = await demo()
    const lab = sim.pool('lab-legacy').pool
    const vm = refOf(lab, 'VM', 'web-2')
    const ssh = lab.guests.get(vm)?.ssh ?? expect.fail('no ssh model for web-2')
    ssh.poolKeyAuthorized = false
    // The Docker stream ends: the keys are wiped and every 20 s retry fails; at 120 s the message comes.
    lab.xscontainer?.dropStream(vm)
    const client = xen.connections[0]?.client ?? expect.fail('lab-legacy not connected')
    await waitFor(
      () => Object.values(client.objects.all).some((o) => o.$type === 'message' && o.name === CANNOT_MONITOR),
      5000,
      'the cannot-monitor message in the client cache',
    )
    await waitFor(() => xen.inventory.vms().find((v) => v.name === 'web-2' && !v.docker.containers))
    const report = await runDoctor(xen.connections, xen.inventory, { pool: 'lab-legacy', probeTimeoutMs: 2000 })
    expect(find(report, 'lab-legacy', 'web-2', 'backend')).toMatchObject({
      state: 'problem',
      detail:
        '10.10.0.12 · xscontainer cannot monitor it: Unable to verify key-based authentication. Please prepare the VM to install a key.',
      fix: 'check that dom0 can SSH to web-2 at 10.10.0.12 and that Docker runs in it',
    })
    expect(problemCount(report.pools)).toBe(4)
  })
})

describe('xscontainerSupported', () => {
  it('holds up to 8.2 and not from 8.3 (XCP-ng 8.3, XenServer 8)', () => {
    expect(xscontainerSupported({ brand: 'XenServer', version: '7.6.0' })).toBe(true)
    expect(xscontainerSupported({ brand: 'Citrix Hypervisor', version: '8.2.1' })).toBe(true)
    expect(xscontainerSupported({ brand: 'XCP-ng', version: '8.2.1' })).toBe(true)
    expect(xscontainerSupported({ brand: 'XCP-ng', version: '8.3.0' })).toBe(false)
    expect(xscontainerSupported({ brand: 'XenServer', version: '8.4.0' })).toBe(false)
    expect(xscontainerSupported({ brand: 'XCP-ng', version: '9.0.0' })).toBe(false)
  })
})

describe('packVerdict', () => {
  const failure = (code: string, params: string[]) => ({ kind: 'error' as const, error: { code, params } })

  it('counts any plugin failure as an installed pack, a missing plugin as a problem', () => {
    expect(
      packVerdict(
        'h1',
        failure('XENAPI_PLUGIN_FAILURE', ['get_config_drive_default', 'XSContainerException', 'x']),
        500,
      ),
    ).toEqual({ state: 'ok', detail: 'xscontainer pack installed' })
    expect(packVerdict('h1', { kind: 'value', value: 'True#cloud-config' }, 500).state).toBe('ok')
    expect(packVerdict('h1', failure('XENAPI_MISSING_PLUGIN', ['xscontainer']), 500)).toMatchObject({
      state: 'problem',
      detail: 'xscontainer pack not installed',
    })
    expect(packVerdict('h1', failure('HOST_OFFLINE', ['OpaqueRef:1']), 500)).toMatchObject({
      state: 'problem',
      detail: 'the xscontainer probe failed: HOST_OFFLINE(OpaqueRef:1)',
    })
    expect(packVerdict('h1', { kind: 'timeout' }, 2500).detail).toBe('no answer within 2.5s to the xscontainer probe')
  })
})
