/**
 * Scenario files: the schema (sizes, defaults, strict keys with paths in the errors), and the pool the
 * builder makes from the shipped `lab` scenario, checked record by record in-process and once over
 * JSON-RPC. Bad references between scenario objects fail with the VM or template that made them.
 */
import { describe, expect, it } from 'vitest'
import { buildPool } from '../../src/sim/build-pool.js'
import { ManualClock } from '../../src/sim/clock.js'
import { loadDatamodel } from '../../src/sim/datamodel.js'
import type { XapiRecord } from '../../src/sim/object-store.js'
import { loadScenario, parseScenario, type Scenario, ScenarioError, size } from '../../src/sim/scenario.js'
import type { SimPool } from '../../src/sim/sim-pool.js'
import { call, login, startSim } from '../helpers/sim.js'

const GiB = 1024 ** 3
const MiB = 1024 ** 2
const NULL = 'OpaqueRef:NULL'

function build(scenario: Scenario, index = 0): SimPool {
  const spec = scenario.pools[index]
  if (!spec) throw new Error(`no pool ${index}`)
  return buildPool({
    scenario,
    spec,
    model: loadDatamodel(),
    clock: new ManualClock(),
    hostAddresses: spec.hosts.map((_, i) => `127.0.0.${i + 1}`),
  })
}

/** The one record of `cls` whose name_label is `name`, with its ref. */
function byName(pool: SimPool, cls: string, name: string): [string, Readonly<XapiRecord>] {
  const found = [...pool.store.records(cls)].filter(([, r]) => r.name_label === name)
  expect(found, `${cls} named ${name}`).toHaveLength(1)
  const [entry] = found
  if (!entry) throw new Error('unreachable')
  return entry
}

/** A minimal valid scenario in YAML, with `vms` (a YAML flow sequence) for the one pool. */
function yamlWith(vms: string, extra = ''): string {
  return `
name: t
pools:
  - name: p
    hosts: [{ name: h1 }, { name: h2 }]
    srs:
      - { name: Local, default: true }
      - { name: ISOs, type: iso, contentType: iso, isos: [{ name: tools.iso }] }
    networks: [{ name: net0, bridge: xenbr0 }]
${extra}
    vms: ${vms}
`
}

function errorOf(fn: () => unknown): Error {
  try {
    fn()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected an error')
}

describe('sizes', () => {
  it('reads byte counts as numbers or with binary units', () => {
    expect(size.parse('8GiB')).toBe(8589934592)
    expect(size.parse('512 MiB')).toBe(512 * MiB)
    expect(size.parse('1.5GiB')).toBe(1.5 * GiB)
    expect(size.parse('2TiB')).toBe(2 * 1024 * GiB)
    expect(size.parse('640KiB')).toBe(640 * 1024)
    expect(size.parse('7B')).toBe(7)
    expect(size.parse(4096)).toBe(4096)
  })

  it('rejects other spellings', () => {
    for (const bad of ['8GB', '8 gigs', 'GiB', '-1GiB', '', 1.5, -4]) {
      expect(size.safeParse(bad).success, JSON.stringify(bad)).toBe(false)
    }
  })
})

describe('parsing', () => {
  it('parses the shipped lab scenario with its defaults', () => {
    const lab = loadScenario('lab')
    expect(lab.name).toBe('lab')
    expect(lab.credentials).toEqual({ username: 'root', password: 'xenroot' })
    expect(lab.pools.map((p) => p.name)).toEqual(['lab'])
    const pool = lab.pools[0]
    expect(pool?.hosts.map((h) => [h.name, h.product.version, h.product.build, h.cpus, h.memory])).toEqual([
      ['lab-host-1', '7.6.0', '137', 8, 64 * GiB],
      ['lab-host-2', '7.6.0', '137', 8, 64 * GiB],
    ])
    expect(pool?.srs.map((s) => [s.name, s.contentType, s.size, s.shared, s.default])).toEqual([
      ['Local storage', 'user', 500 * GiB, false, true],
      ['ISO library', 'iso', 20 * GiB, true, false],
    ])
    expect(pool?.srs[1]?.isos).toEqual([{ name: 'debian-12-netinst.iso', size: 630 * MiB }])
    expect(pool?.templates[0]?.provision).toEqual([{ device: '0', size: 8 * GiB, bootable: true, type: 'system' }])
    expect(pool?.vms.map((v) => [v.name, v.power, v.tools, v.bootSeconds, v.disks.map((d) => d.size)])).toEqual([
      ['web-1', 'running', true, 20, [20 * GiB]],
      ['db-1', 'halted', true, 30, [40 * GiB]],
      ['appliance-no-tools', 'running', false, 20, [4 * GiB]],
    ])
    expect(loadScenario('scenarios/lab.yaml')).toEqual(lab)
  })

  it('fails on an unknown key, naming the key and its path', () => {
    const error = errorOf(() => parseScenario(yamlWith('[{ name: v1, colour: red }]'), 'bad.yaml'))
    expect(error).toBeInstanceOf(ScenarioError)
    expect(error.message).toBe('bad.yaml: invalid scenario\n✖ Unrecognized key: "colour"\n  → at pools[0].vms[0]')
    const top = errorOf(() => parseScenario('name: t\npools: []\nextra: 1\n', 'top.yaml'))
    expect(top.message).toContain('Unrecognized key: "extra"')
    expect(top.message).toContain('→ at pools')
  })

  it('fails on a bad size, with its path', () => {
    const error = errorOf(() => parseScenario(yamlWith('[{ name: v1, disks: [{ size: 8 gigs }] }]'), 'bad.yaml'))
    expect(error).toBeInstanceOf(ScenarioError)
    expect(error.message).toBe('bad.yaml: invalid scenario\n✖ a size like 8GiB\n  → at pools[0].vms[0].disks[0].size')
  })

  it('fails on a bad enum value and on a missing required field, with their paths', () => {
    const power = errorOf(() => parseScenario(yamlWith('[{ name: v1, power: sleeping }]'), 'p.yaml'))
    expect(power.message).toContain('→ at pools[0].vms[0].power')
    const noHosts = errorOf(() => parseScenario('name: t\npools: [{ name: p, hosts: [] }]\n', 'h.yaml'))
    expect(noHosts.message).toContain('→ at pools[0].hosts')
  })

  it('fails on text that is not YAML, and on a scenario name or file that does not exist', () => {
    expect(errorOf(() => parseScenario('name: t\npools: [', 'broken.yaml')).message).toMatch(
      /^broken\.yaml: not valid YAML: /,
    )
    const missing = errorOf(() => loadScenario('no-such-scenario'))
    expect(missing).toBeInstanceOf(ScenarioError)
    expect(missing.message).toMatch(/^no scenario named "no-such-scenario" in .*scenarios$/)
    expect(errorOf(() => loadScenario('./nowhere/x.yaml')).message).toMatch(
      /^scenario file not found: .*nowhere\/x\.yaml$/,
    )
  })
})

describe('building the lab pool', () => {
  const pool = build(loadScenario('lab'))
  const store = pool.store
  const [host1, h1] = byName(pool, 'host', 'lab-host-1')
  const [host2] = byName(pool, 'host', 'lab-host-2')

  it('has hosts with software versions and addresses, the first one the master', () => {
    expect(store.count('host')).toBe(2)
    expect(h1.software_version).toMatchObject({
      product_brand: 'XenServer',
      product_version: '7.6.0',
      build_number: '137',
    })
    expect(h1).toMatchObject({ address: '127.0.0.1', enabled: true, API_version_major: 2 })
    expect(store.get('host', host2).address).toBe('127.0.0.2')
    expect(pool.masterRef).toBe(host1)
  })

  it('has one control domain per host, running as domid 0', () => {
    const dom0s = [...store.records('VM')].filter(([, r]) => r.is_control_domain === true)
    expect(dom0s.map(([, r]) => [r.name_label, r.resident_on, r.power_state, r.domid])).toEqual([
      ['Control domain on host: lab-host-1', host1, 'Running', 0],
      ['Control domain on host: lab-host-2', host2, 'Running', 0],
    ])
    expect(store.get('host', host1).resident_VMs).toContain(dom0s[0]?.[0])
  })

  it('has exactly one pool record: master, default SR and an empty other_config', () => {
    const [local] = byName(pool, 'SR', 'Local storage')
    expect(store.count('pool')).toBe(1)
    expect(store.get('pool', pool.poolRef)).toMatchObject({
      name_label: 'lab',
      master: host1,
      default_SR: local,
      suspend_image_SR: local,
      crash_dump_SR: local,
      other_config: {},
    })
  })

  it('has SRs with PBDs (a shared SR on every host, a local one on the master) and the ISO VDIs', () => {
    const [local, localSr] = byName(pool, 'SR', 'Local storage')
    const [isoLib, isoSr] = byName(pool, 'SR', 'ISO library')
    expect(localSr).toMatchObject({ type: 'ext', content_type: 'user', physical_size: 500 * GiB, shared: false })
    expect(isoSr).toMatchObject({ type: 'iso', content_type: 'iso', physical_size: 20 * GiB, shared: true })
    const pbdsOf = (sr: string) =>
      (store.get('SR', sr).PBDs as string[]).map((r) => store.get('PBD', r)).map((p) => [p.host, p.currently_attached])
    expect(pbdsOf(local)).toEqual([[host1, true]])
    expect(pbdsOf(isoLib)).toEqual([
      [host1, true],
      [host2, true],
    ])
    const [iso, isoVdi] = byName(pool, 'VDI', 'debian-12-netinst.iso')
    expect(isoVdi).toMatchObject({ SR: isoLib, virtual_size: 630 * MiB, read_only: true, location: isoVdi.uuid })
    expect(isoSr.VDIs).toEqual([iso])
  })

  it('has networks with a PIF per host, the management one on eth0 with the host address', () => {
    const [net0] = byName(pool, 'network', 'Pool-wide network associated with eth0')
    const [net1] = byName(pool, 'network', 'Storage network')
    expect(store.get('network', net0).bridge).toBe('xenbr0')
    const pifs = [...store.records('PIF')].map(([, p]) => [p.device, p.network, p.host, p.management, p.IP])
    expect(pifs).toEqual([
      ['eth0', net0, host1, true, '127.0.0.1'],
      ['eth0', net0, host2, true, '127.0.0.2'],
      ['eth1', net1, host1, false, ''],
      ['eth1', net1, host2, false, ''],
    ])
    expect(store.get('host', host1).PIFs).toHaveLength(2)
  })

  it('has the template with its provision XML and no disks of its own', () => {
    const [, template] = byName(pool, 'VM', 'Debian Bookworm 12')
    expect(template).toMatchObject({
      is_a_template: true,
      is_default_template: true,
      power_state: 'Halted',
      memory_static_max: 2 * GiB,
      VCPUs_max: 2,
      VBDs: [],
      name_description: 'Debian 12 with a provisioned 8 GiB system disk',
    })
    expect((template.other_config as Record<string, string>).disks).toBe(
      '<provision><disk device="0" size="8589934592" sr="" bootable="true" type="system"/></provision>',
    )
  })

  it('has the VMs in their power states, with disks, CD, VIFs and (for running VMs with tools) guest metrics', () => {
    const [web, webRec] = byName(pool, 'VM', 'web-1')
    const [, dbRec] = byName(pool, 'VM', 'db-1')
    const [, appRec] = byName(pool, 'VM', 'appliance-no-tools')
    const [local] = byName(pool, 'SR', 'Local storage')
    const [iso] = byName(pool, 'VDI', 'debian-12-netinst.iso')
    const [net0] = byName(pool, 'network', 'Pool-wide network associated with eth0')

    expect(webRec).toMatchObject({ power_state: 'Running', resident_on: host1, is_a_template: false })
    expect(webRec.domid).toBeGreaterThan(0)
    expect(dbRec).toMatchObject({ power_state: 'Halted', resident_on: NULL, domid: -1, guest_metrics: NULL })
    expect(appRec).toMatchObject({ power_state: 'Running', resident_on: host2, guest_metrics: NULL })
    expect(appRec.domid).toBeGreaterThan(0)
    expect(appRec.domid).not.toBe(webRec.domid)
    expect(store.get('VM_metrics', webRec.metrics).start_time).toBe('20260101T00:00:00Z')

    const devices = (vm: Readonly<XapiRecord>) =>
      (vm.VBDs as string[]).map((r) => store.get('VBD', r)).map((v) => [v.userdevice, v.type, v.currently_attached])
    expect(devices(webRec)).toEqual([['0', 'Disk', true]])
    expect(devices(dbRec)).toEqual([['0', 'Disk', false]])
    expect(devices(appRec)).toEqual([
      ['0', 'Disk', true],
      ['3', 'CD', true],
    ])
    const cd = store.get('VBD', (appRec.VBDs as string[])[1])
    expect(cd).toMatchObject({ VDI: iso, mode: 'RO', empty: false })
    const webDisk = store.get('VDI', store.get('VBD', (webRec.VBDs as string[])[0]).VDI)
    expect(webDisk).toMatchObject({ name_label: 'web-1 disk 0', SR: local, virtual_size: 20 * GiB, type: 'system' })
    const vifs = (webRec.VIFs as string[]).map((r) => store.get('VIF', r))
    expect(vifs.map((v) => [v.device, v.network, v.currently_attached])).toEqual([['0', net0, true]])

    const metrics = store.get('VM_guest_metrics', webRec.guest_metrics)
    expect(metrics.networks).toEqual({
      '0/ip': '10.99.0.11',
      '0/ipv4/0': '10.99.0.11',
      '0/ipv6/0': `fe80::${webRec.domid}`,
    })
    expect(metrics.os_version).toMatchObject({ distro: 'debian' })
    expect(metrics.PV_drivers_detected).toBe(true)
    expect(store.count('VM_guest_metrics')).toBe(1)
    expect(pool.guests.get(web)).toEqual({ tools: true, ips: ['10.99.0.11'], bootSeconds: 20, distro: 'debian' })
  })

  it('serves the same pool over JSON-RPC', async () => {
    const sim = await startSim()
    const { url } = sim.pool('lab')
    const session = await login(sim)
    const pools = await call<Record<string, Record<string, unknown>>>(url, 'pool.get_all_records', session)
    const entries = Object.values(pools)
    expect(entries).toHaveLength(1)
    const poolRecord = entries[0] ?? {}
    expect(poolRecord.other_config).toEqual({})
    const master = await call<Record<string, unknown>>(url, 'host.get_record', session, poolRecord.master)
    expect(master.name_label).toBe('lab-host-1')
    expect((master.software_version as Record<string, string>).product_version).toBe('7.6.0')
    expect(await call(url, 'SR.get_name_label', session, poolRecord.default_SR)).toBe('Local storage')
    const vms = await call<Record<string, Record<string, unknown>>>(url, 'VM.get_all_records', session)
    const states = Object.values(vms)
      .filter((v) => !v.is_control_domain && !v.is_a_template)
      .map((v) => [v.name_label, v.power_state])
    expect(states).toEqual([
      ['web-1', 'Running'],
      ['db-1', 'Halted'],
      ['appliance-no-tools', 'Running'],
    ])
  })
})

describe('building: references between scenario objects', () => {
  const fails = (vms: string, extra = '') => errorOf(() => build(parseScenario(yamlWith(vms, extra), 'refs.yaml')))

  it('a VM naming a missing network, host, ISO or SR fails with the VM named', () => {
    const cases: [string, string][] = [
      ['[{ name: v1, networks: [net0, nope] }]', 'VM v1: no network named "nope" in this pool'],
      ['[{ name: v2, power: running, host: h9 }]', 'VM v2: no host named "h9" in this pool'],
      // A halted VM's host is checked too: the typo would otherwise go unnoticed until it starts.
      ['[{ name: v3, power: halted, host: h9 }]', 'VM v3: no host named "h9" in this pool'],
      ['[{ name: v4, cdrom: missing.iso }]', 'VM v4: no ISO named "missing.iso" in this pool'],
      ['[{ name: v5, disks: [{ size: 1GiB, sr: Remote }] }]', 'VM v5: no SR named "Remote" in this pool'],
    ]
    for (const [vms, message] of cases) {
      const error = fails(vms)
      expect(error, vms).toBeInstanceOf(ScenarioError)
      expect(error.message).toBe(message)
    }
  })

  it('a template provision disk naming a missing SR fails with the template named', () => {
    const error = fails('[]', '    templates: [{ name: T1, provision: [{ size: 8GiB, sr: Remote }] }]')
    expect(error).toBeInstanceOf(ScenarioError)
    expect(error.message).toBe('template T1: no SR named "Remote" in this pool')
  })

  it('a template provision disk on a named SR carries that SR uuid; valid references build', () => {
    const pool = build(
      parseScenario(
        yamlWith(
          '[{ name: ok, power: running, host: h2, cdrom: tools.iso, networks: [net0], tools: false }]',
          '    templates: [{ name: T1, provision: [{ size: 1GiB, sr: Local, bootable: false }] }]',
        ),
        'ok.yaml',
      ),
    )
    const [, local] = byName(pool, 'SR', 'Local')
    const [, t1] = byName(pool, 'VM', 'T1')
    expect((t1.other_config as Record<string, string>).disks).toBe(
      `<provision><disk device="0" size="1073741824" sr="${local.uuid}" bootable="false" type="system"/></provision>`,
    )
    const [, ok] = byName(pool, 'VM', 'ok')
    const [h2] = byName(pool, 'host', 'h2')
    expect(ok).toMatchObject({ power_state: 'Running', resident_on: h2, guest_metrics: NULL })
  })
})
