/**
 * The demo scenario (scenarios/demo.yaml) that `xen-chatops sim --scenario demo` serves: a legacy
 * XenServer 7.6 pool with the xscontainer pack on two of its three hosts and a modern XCP-ng 8.3 pool
 * without it, about ten VMs and about 25 containers in every state the bot must render, and the
 * docker_ps values the monitor writes for them (xscontainer.md §2.4, §2.5, §4.4, §5.3, issue #3).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterAll, describe, expect, it } from 'vitest'
import type { ContainerSummary } from '../../../src/sim/docker/docker-daemon.js'
import type { SimPool } from '../../../src/sim/sim-pool.js'
import type { Simulator } from '../../../src/sim/simulator.js'
import { call, errorOf, login, ManualClock, startSim } from '../../helpers/sim.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

// XO's parseXml options (xscontainer.md §5.3): values stay strings, attributes keep their names.
const parser = new XMLParser({
  ignoreDeclaration: true,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: false,
  attributeNamePrefix: '',
})

const demo = () => startSim({ scenario: 'demo', clock: new ManualClock(), members: false })

const named = (pool: SimPool, cls: string, name: string): string => {
  const refs = pool.store.find(cls, (r) => r.name_label === name)
  expect(refs, `${cls} ${name}`).toHaveLength(1)
  return refs[0] ?? ''
}

/** Ordinary VMs: not templates, not control domains. */
const vmNames = (pool: SimPool) =>
  [...pool.store.records('VM')]
    .filter(([, vm]) => vm.is_a_template !== true && vm.is_control_domain !== true)
    .map(([, vm]) => String(vm.name_label))
    .sort()

const otherConfig = (pool: SimPool, vm: string) => pool.store.get('VM', vm).other_config as Record<string, string>

describe('xen-chatops sim --scenario demo', { timeout: 30_000 }, () => {
  const children = new Set<ChildProcess>()
  afterAll(() => {
    // Only the process this test started, by its own handle, and only if it is still there.
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })

  it('serves lab-legacy and lab-modern, each answering a login, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'sim', '--scenario', 'demo', '--json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.add(child)
    let stderr = ''
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    )
    const firstLine = await new Promise<string>((resolve, reject) => {
      let stdout = ''
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk
        const end = stdout.indexOf('\n')
        if (end >= 0) resolve(stdout.slice(0, end))
      })
      void exited.then(() => reject(new Error(`the CLI exited before printing its banner; stderr: ${stderr}`)))
    })
    const banner = JSON.parse(firstLine) as {
      url: string
      pools: { name: string; url: string; username: string; password: string; members: { host: string }[] }[]
    }
    expect(banner.pools.map((p) => p.name)).toEqual(['lab-legacy', 'lab-modern'])
    expect(banner.url).toBe(banner.pools[0]?.url)
    expect(banner.pools.map((p) => p.members.map((m) => m.host))).toEqual([['xs76-b', 'xs76-c'], ['xcp83-b']])
    expect(new Set(banner.pools.map((p) => p.url)).size).toBe(2)
    for (const p of banner.pools) {
      expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+$/)
      expect(await call(p.url, 'session.login_with_password', p.username, p.password)).toMatch(/^OpaqueRef:/)
    }

    child.kill('SIGTERM')
    expect(await exited).toEqual({ code: 0, signal: null })
    expect(stderr).toBe('')
  })
})

describe('lab-legacy: XenServer 7.6 with the xscontainer pack', () => {
  it('has three XenServer 7.6.0 hosts, the pack on exactly xs76-a and xs76-b', async () => {
    const sim = await demo()
    const { pool } = sim.pool('lab-legacy')
    const hosts = [...pool.store.records('host')].map(([ref, h]) => ({
      name: h.name_label,
      brand: (h.software_version as Record<string, string>).product_brand,
      version: (h.software_version as Record<string, string>).product_version,
      pack: pool.xscontainer?.installedOn(ref) ?? false,
    }))
    expect(hosts).toEqual([
      { name: 'xs76-a', brand: 'XenServer', version: '7.6.0', pack: true },
      { name: 'xs76-b', brand: 'XenServer', version: '7.6.0', pack: true },
      { name: 'xs76-c', brand: 'XenServer', version: '7.6.0', pack: false },
    ])
  })

  it('has the CoreOS template with an 8 GiB provision disk, an ISO SR with the CoreOS ISO, and 2 networks', async () => {
    const sim = await demo()
    const { pool } = sim.pool('lab-legacy')
    const template = pool.store.get('VM', named(pool, 'VM', 'CoreOS'))
    expect(template.is_a_template).toBe(true)
    const disks = (template.other_config as Record<string, string>).disks ?? ''
    expect(parser.parse(disks)).toEqual({
      provision: { disk: { device: '0', size: '8589934592', sr: '', bootable: 'true', type: 'system' } },
    })

    const iso = pool.store.get('SR', named(pool, 'SR', 'ISO library'))
    expect(iso.content_type).toBe('iso')
    const isoVdis = (iso.VDIs as string[]).map((v) => pool.store.get('VDI', v).name_label)
    expect(isoVdis).toEqual(['coreos_production_iso_image.iso'])
    expect(pool.store.count('network')).toBe(2)
  })
})

describe('lab-modern: XCP-ng 8.3 without the pack', () => {
  it('has two XCP-ng 8.3.0 hosts, and host.call_plugin xscontainer answers XENAPI_MISSING_PLUGIN on each', async () => {
    const sim = await demo()
    const modern = sim.pool('lab-modern')
    const { pool } = modern
    expect(pool.xscontainer).toBeUndefined()
    const hosts = [...pool.store.records('host')]
    expect(hosts.map(([, h]) => [h.name_label, (h.software_version as Record<string, string>).product_brand])).toEqual([
      ['xcp83-a', 'XCP-ng'],
      ['xcp83-b', 'XCP-ng'],
    ])
    expect(hosts.map(([, h]) => (h.software_version as Record<string, string>).product_version)).toEqual([
      '8.3.0',
      '8.3.0',
    ])
    const session = await login(sim, 'lab-modern')
    const vmuuid = String(pool.store.get('VM', named(pool, 'VM', 'ci-runner')).uuid)
    for (const [host] of hosts) {
      expect(
        await errorOf(call(modern.url, 'host.call_plugin', session, host, 'xscontainer', 'register', { vmuuid })),
      ).toEqual(['XENAPI_MISSING_PLUGIN', 'xscontainer'])
    }
  })

  it('has a Flatcar template and an Ubuntu cloud-init template, both tagged docker-ready', async () => {
    const sim = await demo()
    const { pool } = sim.pool('lab-modern')
    const templates = [...pool.store.records('VM')]
      .filter(([, vm]) => vm.is_a_template === true)
      .map(([, vm]) => ({ name: vm.name_label, tags: vm.tags }))
    expect(templates).toEqual([
      { name: 'Flatcar Container Linux', tags: ['docker-ready'] },
      { name: 'Ubuntu 24.04 cloud-init', tags: ['docker-ready'] },
    ])
  })
})

describe('VMs and containers', () => {
  it('has these eleven VMs', async () => {
    const sim = await demo()
    expect(vmNames(sim.pool('lab-legacy').pool)).toEqual([
      'builder-no-tools',
      'edge-proxy',
      'ldap-appliance',
      'legacy-db',
      'registry',
      'web-1',
      'web-2',
    ])
    expect(vmNames(sim.pool('lab-modern').pool)).toEqual(['backup-server', 'ci-runner', 'metrics', 'staging-app'])
  })

  /** Every container of every running Docker guest, as `vm/name` → summary. */
  function containers(sim: Simulator): Map<string, ContainerSummary> {
    const all = new Map<string, ContainerSummary>()
    for (const { pool } of sim.pools) {
      for (const [vm, guest] of pool.guests) {
        if (!guest.docker?.up) continue
        for (const c of guest.docker.listContainers({ all: true })) {
          all.set(`${pool.store.get('VM', vm).name_label}/${(c.Names[0] ?? '').slice(1)}`, c)
        }
      }
    }
    return all
  }

  it('runs at least 24 containers on its running Docker guests; the halted guests have their daemons down', async () => {
    const sim = await demo()
    expect(containers(sim).size).toBeGreaterThanOrEqual(24)
    const down = sim.pools.flatMap(({ pool }) =>
      [...pool.guests].filter(([, g]) => g.docker && !g.docker.up).map(([vm]) => pool.store.get('VM', vm).name_label),
    )
    expect(down.sort()).toEqual(['legacy-db', 'staging-app'])
  })

  it('covers running, exited 0, exited 137, paused and restarting, upper-case names, a label with & and a port map', async () => {
    const sim = await demo()
    const all = containers(sim)
    const pick = (key: string) => {
      const c = all.get(key)
      if (!c) throw new Error(`no container ${key}`)
      return { state: c.State, status: c.Status }
    }
    expect(pick('web-1/nginx-front')).toEqual({ state: 'running', status: 'Up 3 hours' })
    expect(pick('web-1/nightly-report')).toEqual({ state: 'exited', status: 'Exited (0) 2 hours ago' })
    expect(pick('web-2/old-migration')).toEqual({ state: 'exited', status: 'Exited (137) 10 minutes ago' })
    expect(pick('web-1/image-resizer')).toEqual({ state: 'paused', status: 'Up 24 hours (Paused)' })
    expect(pick('web-2/queue-worker')).toEqual({ state: 'restarting', status: 'Restarting (1) Less than a second ago' })
    const states = new Set([...all.values()].map((c) => c.State))
    expect([...states].sort()).toEqual(['exited', 'paused', 'restarting', 'running'])

    expect([...all.keys()].filter((k) => /[A-Z]/.test(k.split('/')[1] ?? '')).sort()).toEqual([
      'metrics/Prometheus',
      'web-1/WebAPI',
      'web-2/WebAPI',
    ])
    expect(all.get('web-1/nginx-front')?.Labels['com.example.team']).toBe('web & edge')
    expect(all.get('web-1/nginx-front')?.Ports).toEqual(
      expect.arrayContaining([{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }]),
    )
  })
})

describe('docker_ps as the monitor wrote it at start', () => {
  const MONITORED = ['edge-proxy', 'registry', 'web-1', 'web-2']

  function dockerPs(pool: SimPool): Map<string, string> {
    const found = new Map<string, string>()
    for (const [, vm] of pool.store.records('VM')) {
      const ps = (vm.other_config as Record<string, string>).docker_ps
      if (ps !== undefined) found.set(String(vm.name_label), ps)
    }
    return found
  }

  it('is on exactly the monitored VMs, and on no lab-modern VM', async () => {
    const sim = await demo()
    expect([...dockerPs(sim.pool('lab-legacy').pool).keys()].sort()).toEqual(MONITORED)
    expect([...dockerPs(sim.pool('lab-modern').pool).keys()]).toEqual([])
  })

  it.each(MONITORED)('%s: well-formed XML, except edge-proxy (InvalidTag, as in XO issue #4617)', async (name) => {
    const sim = await demo()
    const xml = dockerPs(sim.pool('lab-legacy').pool).get(name) ?? ''
    expect(xml.startsWith('<?xml version="1.0" ?><docker_ps>')).toBe(true)
    const result = XMLValidator.validate(xml)
    if (name === 'edge-proxy') {
      expect(result).toMatchObject({
        err: { code: 'InvalidTag', msg: "Tag 'traefik.http.routers.dashboard@internal.rule' is an invalid name." },
      })
    } else {
      expect(result).toBe(true)
    }
  })

  it.each(MONITORED.filter((n) => n !== 'edge-proxy'))('%s parses into docker_ps.item[].entry', async (name) => {
    const sim = await demo()
    const { pool } = sim.pool('lab-legacy')
    const xml = dockerPs(pool).get(name) ?? ''
    const items = (parser.parse(xml) as { docker_ps: { item: { entry: Record<string, unknown> }[] } }).docker_ps.item
    expect(Array.isArray(items)).toBe(true)
    const daemon = pool.guests.get(named(pool, 'VM', name))?.docker
    expect(items).toHaveLength(daemon?.listContainers({ all: true }).length ?? -1)
    for (const { entry } of items) {
      for (const key of ['id', 'names', 'image', 'command', 'created', 'state', 'status', 'ports', 'labels']) {
        expect(entry, `${name} ${String(entry.names)}`).toHaveProperty(key)
      }
      // Top-level keys are lower-cased (§2.5); every value is a string or nested element.
      expect(Object.keys(entry).filter((k) => k !== k.toLowerCase())).toEqual([])
      expect(entry.container).toBe(String(entry.id).slice(0, 10))
      expect(String(entry.status)).toMatch(/^(Up|Up \(Paused\)|Exited \(\d+\)|Restarting \(\d+\) .*)$/)
      if (entry.ports !== '') {
        const ports = (entry.ports as { item: unknown }).item
        for (const port of Array.isArray(ports) ? ports : [ports]) {
          expect(Object.keys(port as object)).toEqual(expect.arrayContaining(['PrivatePort', 'Type']))
        }
      }
    }
  })

  it('web-1: port map items, and a label & read back as &amp; after one parse (double escaping)', async () => {
    const sim = await demo()
    const { pool } = sim.pool('lab-legacy')
    const xml = otherConfig(pool, named(pool, 'VM', 'web-1')).docker_ps ?? ''
    expect(xml).toContain('<com.example.team>web &amp;amp; edge</com.example.team>')
    const items = (parser.parse(xml) as { docker_ps: { item: { entry: Record<string, unknown> }[] } }).docker_ps.item
    const nginx = items.find((i) => i.entry.names === 'nginx-front')?.entry ?? {}
    expect(nginx).toMatchObject({ image: 'nginx:1.25', state: 'running', status: 'Up' })
    expect((nginx.labels as Record<string, string>)['com.example.team']).toBe('web &amp; edge')
    expect((nginx.ports as { item: unknown[] }).item).toContainEqual({
      IP: '0.0.0.0',
      PrivatePort: '80',
      PublicPort: '8080',
      Type: 'tcp',
    })
    // A container without ports: `<ports/>`, read as ''.
    expect(items.find((i) => i.entry.names === 'WebAPI')?.entry.ports).toBe('')
  })

  it('get_inspect of nginx-front encodes the 80/tcp keys as SPECIAL_XS_ENCODED_ELEMENT', async () => {
    const sim = await demo()
    const legacy = sim.pool('lab-legacy')
    const { pool } = legacy
    const session = await login(sim, 'lab-legacy')
    const web = named(pool, 'VM', 'web-1')
    const result = await call<string>(
      legacy.url,
      'host.call_plugin',
      session,
      pool.masterRef,
      'xscontainer',
      'get_inspect',
      { vmuuid: String(pool.store.get('VM', web).uuid), object: 'nginx-front' },
    )
    expect(result.startsWith('True<?xml version="1.0" ?><docker_inspect>')).toBe(true)
    const xml = result.slice(4)
    expect(xml).toContain(
      '<ExposedPorts><SPECIAL_XS_ENCODED_ELEMENT name="443/tcp"/><SPECIAL_XS_ENCODED_ELEMENT name="80/tcp"/></ExposedPorts>',
    )
    expect(XMLValidator.validate(xml)).toBe(true)
    const inspect = (parser.parse(xml) as { docker_inspect: { Config: { ExposedPorts: unknown } } }).docker_inspect
    expect(inspect.Config.ExposedPorts).toEqual({
      SPECIAL_XS_ENCODED_ELEMENT: [{ name: '443/tcp' }, { name: '80/tcp' }],
    })
  })
})
