/**
 * The xscontainer monitor daemon (xscontainer.md §2.6, §2.1, §2.3, §3.4) on the demo scenario, with
 * simulated time: which VMs it watches, when it writes, rewrites and wipes docker_ps / docker_info /
 * docker_version, its 20 s retry, the 120 s "cannot monitor" message, and the pack disappearing from a
 * host at run time.
 */
import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import type { DockerDaemon } from '../../../src/sim/docker/docker-daemon.js'
import { loadScenario, type Scenario } from '../../../src/sim/scenario.js'
import type { SimPool } from '../../../src/sim/sim-pool.js'
import { call, errorOf, login, ManualClock, startSim } from '../../helpers/sim.js'

const NULL = 'OpaqueRef:NULL'
const DOCKER_KEYS = ['docker_ps', 'docker_info', 'docker_version'] as const
const CANNOT_MONITOR = 'Container Management cannot monitor VM'

// XO's parseXml options (xscontainer.md §5.3): all values stay strings.
const parser = new XMLParser({
  ignoreDeclaration: true,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: false,
  attributeNamePrefix: '',
})

interface PsEntry {
  names: string
  state: string
  status: string
  container: string
}

/** The entries of a docker_ps value, in document order. */
function psEntries(xml: string): PsEntry[] {
  const items = (parser.parse(xml) as { docker_ps: { item?: unknown } | '' }).docker_ps
  if (items === '' || items.item === undefined) return []
  return (Array.isArray(items.item) ? items.item : [items.item]).map((i) => (i as { entry: PsEntry }).entry)
}

interface Legacy {
  clock: ManualClock
  pool: SimPool
  url: string
  /** A XAPI call over JSON-RPC with the session prepended. */
  x<T = unknown>(method: string, ...params: unknown[]): Promise<T>
  vm(name: string): string
  host(name: string): string
  uuid(ref: string): string
  otherConfig(vm: string): Record<string, string>
  /** The docker_* keys the VM's other_config holds, in DOCKER_KEYS order. */
  dockerKeys(vm: string): string[]
  /** docker_ps entry of one container, by name. */
  psOf(vm: string, container: string): PsEntry | undefined
  daemon(vm: string): DockerDaemon
  plugin(host: string, fn: string, args: Record<string, string>): Promise<string>
  messages(): { name: string; cls: string; obj_uuid: string; body: string; priority: number }[]
}

async function legacy(scenario: string | Scenario = 'demo'): Promise<Legacy> {
  const clock = new ManualClock()
  const sim = await startSim({ scenario, clock, members: false })
  const running = sim.pool('lab-legacy')
  const { pool } = running
  const session = await login(sim, 'lab-legacy')
  const x = <T = unknown>(method: string, ...params: unknown[]) => call<T>(running.url, method, session, ...params)
  const one = (cls: string, name: string) => {
    const refs = pool.store.find(cls, (r) => r.name_label === name)
    expect(refs, `${cls} ${name}`).toHaveLength(1)
    return refs[0] ?? ''
  }
  const otherConfig = (vm: string) => pool.store.get('VM', vm).other_config as Record<string, string>
  const lab: Legacy = {
    clock,
    pool,
    url: running.url,
    x,
    vm: (name) => one('VM', name),
    host: (name) => one('host', name),
    uuid: (ref) => String(pool.store.get('VM', ref).uuid),
    otherConfig,
    dockerKeys: (vm) => DOCKER_KEYS.filter((k) => k in otherConfig(vm)),
    psOf: (vm, container) => {
      const xml = otherConfig(vm).docker_ps
      return xml === undefined ? undefined : psEntries(xml).find((e) => e.names === container)
    },
    daemon: (vm) => {
      const daemon = pool.guests.get(vm)?.docker
      if (!daemon) throw new Error(`VM ${vm} has no Docker daemon`)
      return daemon
    },
    plugin: (host, fn, args) => x<string>('host.call_plugin', host, 'xscontainer', fn, args),
    messages: () =>
      [...pool.store.records('message')].map(([, m]) => ({
        name: String(m.name),
        cls: String(m.cls),
        obj_uuid: String(m.obj_uuid),
        body: String(m.body),
        priority: Number(m.priority),
      })),
  }
  return lab
}

const cannotMonitor = (lab: Legacy) => lab.messages().filter((m) => m.name === CANNOT_MONITOR)

describe('start condition (§2.6 step 3): registered, Running, resident on a pack host, guest metrics, not dom0', () => {
  it.each([
    ['web-1', true],
    ['web-2', true],
    ['registry', true],
    ['edge-proxy', true],
    ['builder-no-tools', false], // registered, running on xs76-a, but no guest metrics (no tools)
    ['legacy-db', false], // registered, halted
    ['ldap-appliance', false], // running, with tools, but not registered (and on xs76-c, without the pack)
  ])('%s gets docker_ps, docker_info and docker_version: %s', async (name, monitored) => {
    const lab = await legacy()
    const vm = lab.vm(name)
    expect(lab.dockerKeys(vm)).toEqual(monitored ? [...DOCKER_KEYS] : [])
    if (monitored) {
      const oc = lab.otherConfig(vm)
      expect(oc.docker_ps).toMatch(/^<\?xml version="1\.0" \?><docker_ps>/)
      expect(oc.docker_info).toMatch(/^<\?xml version="1\.0" \?><docker_info>/)
      expect(oc.docker_version).toMatch(/^<\?xml version="1\.0" \?><docker_version>.*<Version>20\.10\.24<\/Version>/)
    }
  })

  it('why the others are left out: the record fields the monitor tests', async () => {
    const lab = await legacy()
    const rec = (name: string) => lab.pool.store.get('VM', lab.vm(name))
    expect(rec('builder-no-tools')).toMatchObject({
      power_state: 'Running',
      resident_on: lab.host('xs76-a'),
      guest_metrics: NULL,
      other_config: { 'xscontainer-monitor': 'True' },
    })
    expect(rec('legacy-db')).toMatchObject({ power_state: 'Halted', other_config: { 'xscontainer-monitor': 'True' } })
    expect(rec('ldap-appliance').other_config).not.toHaveProperty('xscontainer-monitor')
    expect(rec('ldap-appliance').guest_metrics).not.toBe(NULL)
  })

  it('each host monitors its own resident VMs; xs76-c has no monitor; dom0 and lab-modern get no keys', async () => {
    const lab = await legacy()
    const pack = lab.pool.xscontainer
    const names = (host: string) =>
      (pack?.monitor(lab.host(host))?.monitoredVms ?? []).map((v) => lab.pool.store.get('VM', v).name_label).sort()
    expect(names('xs76-a')).toEqual(['registry', 'web-1'])
    expect(names('xs76-b')).toEqual(['edge-proxy', 'web-2'])
    expect(pack?.monitor(lab.host('xs76-c'))).toBeUndefined()
    for (const [ref, vm] of lab.pool.store.records('VM')) {
      if (vm.is_control_domain === true) expect(lab.dockerKeys(ref)).toEqual([])
    }
  })

  it('nothing on lab-modern: no pack, no keys on any VM', async () => {
    const sim = await startSim({ scenario: 'demo', clock: new ManualClock(), members: false })
    const modern = sim.pool('lab-modern').pool
    expect(modern.xscontainer).toBeUndefined()
    const withKeys = [...modern.store.records('VM')].filter(([, vm]) =>
      DOCKER_KEYS.some((k) => k in (vm.other_config as object)),
    )
    expect(withKeys).toEqual([])
  })
})

describe('registration', () => {
  it('registering a running Docker VM (plugin register) makes the monitor write the three keys', async () => {
    // The demo with `registry` not registered yet: no xscontainer-monitor key at all.
    const scenario = structuredClone(loadScenario('demo'))
    const registry = scenario.pools[0]?.vms.find((v) => v.name === 'registry')
    if (!registry?.docker) throw new Error('demo: registry has no docker section')
    delete registry.docker.monitor
    const lab = await legacy(scenario)
    const vm = lab.vm('registry')
    expect(lab.otherConfig(vm)).not.toHaveProperty('xscontainer-monitor')
    expect(lab.dockerKeys(vm)).toEqual([])

    // Called on the master (xs76-a, where the VM runs); the answer is the literal TrueNone (§1.1).
    expect(await lab.plugin(lab.host('xs76-a'), 'register', { vmuuid: lab.uuid(vm) })).toBe('TrueNone')
    expect(lab.otherConfig(vm)['xscontainer-monitor']).toBe('True')
    expect(lab.dockerKeys(vm)).toEqual([...DOCKER_KEYS])
    expect(psEntries(lab.otherConfig(vm).docker_ps ?? '').map((e) => `${e.names} ${e.status}`)).toEqual([
      'registry-ui Up',
      'registry Up',
      'garbage-collect Exited (0)',
    ])
  })

  it('deregister wipes the keys, sets xscontainer-monitor False and stops monitoring', async () => {
    const lab = await legacy()
    const vm = lab.vm('web-1')
    expect(await lab.plugin(lab.host('xs76-a'), 'deregister', { vmuuid: lab.uuid(vm) })).toBe('TrueNone')
    expect(lab.otherConfig(vm)['xscontainer-monitor']).toBe('False')
    expect(lab.dockerKeys(vm)).toEqual([])
    expect(lab.pool.xscontainer?.monitor(lab.host('xs76-a'))?.monitoredVms).not.toContain(vm)
    // Container events no longer reach other_config, nor does time.
    lab.daemon(vm).stop('nginx-front')
    await lab.clock.advance(60_000)
    expect(lab.dockerKeys(vm)).toEqual([])
  })
})

describe('container events (§2.6 step 4)', () => {
  it.each([
    ['the plugin stop function', 'plugin'],
    ['DockerDaemon.stop', 'daemon'],
  ])('a stop through %s rewrites docker_ps: nginx-front Exited (0)', async (_how, via) => {
    const lab = await legacy()
    const vm = lab.vm('web-1')
    const before = lab.psOf(vm, 'nginx-front')
    expect(before).toMatchObject({ state: 'running', status: 'Up' })
    if (via === 'plugin') {
      const args = { vmuuid: lab.uuid(vm), container: before?.container ?? '' }
      expect(await lab.plugin(lab.host('xs76-a'), 'stop', args)).toBe('True')
    } else {
      lab.daemon(vm).stop('nginx-front')
    }
    expect(lab.psOf(vm, 'nginx-front')).toMatchObject({ state: 'exited', status: 'Exited (0)' })
    // The other containers are untouched.
    expect(lab.psOf(vm, 'redis-cache')).toMatchObject({ state: 'running', status: 'Up' })
  })

  it('a kill through the daemon API gives Exited (137)', async () => {
    const lab = await legacy()
    const vm = lab.vm('web-1')
    lab.daemon(vm).kill('WebAPI')
    expect(lab.psOf(vm, 'WebAPI')).toMatchObject({ state: 'exited', status: 'Exited (137)' })
  })

  it("queue-worker's scripted restart loop on web-2 rewrites docker_ps on start and on die", async () => {
    const lab = await legacy()
    const vm = lab.vm('web-2')
    // Restarting: Docker's own text, which patch_docker_ps_status leaves as is (only Up… and Exited… are patched).
    expect(lab.psOf(vm, 'queue-worker')).toMatchObject({
      state: 'restarting',
      status: 'Restarting (1) Less than a second ago',
    })
    await lab.clock.advance(99)
    expect(lab.psOf(vm, 'queue-worker')?.state).toBe('restarting')
    await lab.clock.advance(1) // the restart manager's first 100 ms backoff: 'start'
    expect(lab.psOf(vm, 'queue-worker')).toMatchObject({ state: 'running', status: 'Up' })
    await lab.clock.advance(2000) // the scripted crash 2 s after the start: 'die', restarting again
    expect(lab.psOf(vm, 'queue-worker')).toMatchObject({ state: 'restarting' })
  })

  it('docker_info is not rewritten on container events (the elif bug), only on delete', async () => {
    const lab = await legacy()
    const vm = lab.vm('web-1')
    const daemon = lab.daemon(vm)
    const info = lab.otherConfig(vm).docker_info ?? ''
    expect(info).toContain('<ContainersRunning>3</ContainersRunning>')
    expect(info).toContain('<ContainersStopped>1</ContainersStopped>')
    const ps = lab.otherConfig(vm).docker_ps

    daemon.stop('nginx-front')
    expect(lab.otherConfig(vm).docker_ps).not.toBe(ps)
    expect(daemon.info()).toMatchObject({ ContainersRunning: 2, ContainersStopped: 2 })
    // Stale: the counts still say 3 running, 1 stopped.
    expect(lab.otherConfig(vm).docker_info).toBe(info)

    // An image `delete` event is the one that refreshes docker_info.
    const [sample] = daemon.listContainers({ all: true })
    daemon.events.emit('event', {
      status: 'delete',
      id: 'sha256:0123',
      from: '',
      Type: 'container',
      Action: 'delete',
      Actor: { ID: sample?.Id ?? '', Attributes: {} },
      scope: 'local',
      time: Math.floor(lab.clock.now() / 1000),
      timeNano: lab.clock.now() * 1e6,
    })
    expect(lab.otherConfig(vm).docker_info).toContain('<ContainersRunning>2</ContainersRunning>')
    expect(lab.otherConfig(vm).docker_info).toContain('<ContainersStopped>2</ContainersStopped>')
  })
})

describe('VM power (§2.1: a halted VM has no docker_* keys)', () => {
  it('VM.hard_shutdown wipes all three keys; VM.start_on a pack host rewrites them once the guest agent reports', async () => {
    const lab = await legacy()
    const vm = lab.vm('web-1')
    const down = await lab.x<string>('Async.VM.hard_shutdown', vm)
    await lab.clock.advance(1000)
    expect(await lab.x('task.get_status', down)).toBe('success')
    expect(lab.pool.store.get('VM', vm).power_state).toBe('Halted')
    expect(lab.dockerKeys(vm)).toEqual([])
    expect(lab.otherConfig(vm)['xscontainer-monitor']).toBe('True')

    const up = await lab.x<string>('Async.VM.start_on', vm, lab.host('xs76-a'), false, false)
    await lab.clock.advance(4000)
    expect(await lab.x('task.get_status', up)).toBe('success')
    expect(lab.pool.store.get('VM', vm)).toMatchObject({ power_state: 'Running', guest_metrics: NULL })
    expect(lab.dockerKeys(vm)).toEqual([])
    await lab.clock.advance(19_999)
    expect(lab.dockerKeys(vm)).toEqual([])
    await lab.clock.advance(1) // bootSeconds 20: guest metrics, so the monitor starts
    expect(lab.dockerKeys(vm)).toEqual([...DOCKER_KEYS])
    // After the boot Docker restored by restart policy: always / unless-stopped up, policy `no` exited.
    expect(lab.psOf(vm, 'nginx-front')?.status).toBe('Up')
    expect(lab.psOf(vm, 'WebAPI')?.status).toBe('Up')
    expect(lab.psOf(vm, 'redis-cache')?.state).toBe('exited')
  })

  it('started on xs76-c, the host without the pack, the VM stays without keys', async () => {
    const lab = await legacy()
    const vm = lab.vm('web-1')
    await lab.x('Async.VM.hard_shutdown', vm)
    await lab.clock.advance(1000)
    await lab.x('Async.VM.start_on', vm, lab.host('xs76-c'), false, false)
    await lab.clock.advance(30_000)
    expect(lab.pool.store.get('VM', vm).guest_metrics).not.toBe(NULL)
    expect(lab.dockerKeys(vm)).toEqual([])
  })
})

describe('event stream loss (§2.6 step 4: wipe, then retry every 20 s)', () => {
  it.each([
    ['at once', 0],
    ['after 5 minutes of monitoring (no message: a stream that ends is no failure)', 300_000],
  ])('pack.dropStream %s: keys wiped, back after exactly 20 s', async (_when, after) => {
    const lab = await legacy()
    const vm = lab.vm('web-1')
    await lab.clock.advance(after)
    expect(lab.dockerKeys(vm)).toEqual([...DOCKER_KEYS])
    lab.pool.xscontainer?.dropStream(vm)
    expect(lab.dockerKeys(vm)).toEqual([])
    expect(cannotMonitor(lab)).toEqual([])
    // Another monitored VM keeps its keys.
    expect(lab.dockerKeys(lab.vm('registry'))).toEqual([...DOCKER_KEYS])
    await lab.clock.advance(19_999)
    expect(lab.dockerKeys(vm)).toEqual([])
    expect(cannotMonitor(lab)).toEqual([])
    await lab.clock.advance(1)
    expect(lab.dockerKeys(vm)).toEqual([...DOCKER_KEYS])
    // The new stream is live: events rewrite docker_ps again.
    lab.daemon(vm).stop('nginx-front')
    expect(lab.psOf(vm, 'nginx-front')?.status).toBe('Exited (0)')
  })
})

describe('the "cannot monitor" message (§2.3, diagnosis strings §3.4)', () => {
  type Fault = (lab: Legacy, vm: string) => void
  const cases: [string, Fault, Fault, string][] = [
    [
      'the pool key is not authorized',
      (lab, vm) => setSsh(lab, vm, { poolKeyAuthorized: false }),
      (lab, vm) => setSsh(lab, vm, { poolKeyAuthorized: true }),
      'Unable to verify key-based authentication. Please prepare the VM to install a key.',
    ],
    [
      'no SSH server answers on port 22',
      (lab, vm) => setSsh(lab, vm, { server: false }),
      (lab, vm) => setSsh(lab, vm, { server: true }),
      'Error: Cannot find a valid IP that allows SSH connections to the VM. Please make sure that Tools are installed, a network route is set up, there is a SSH server running inside the VM that is reachable from Dom0.',
    ],
    [
      'ncat is missing (the diagnosis is not fatal and finds nothing else)',
      (lab, vm) => setSsh(lab, vm, { ncat: false }),
      (lab, vm) => setSsh(lab, vm, { ncat: true }),
      'Unable to find ncat inside the VM. Please install ncat. ',
    ],
    [
      // [UNVERIFIED] (monitor.ts): a stopped dockerd is diagnosed as a missing socket.
      'the Docker daemon is down',
      (lab, vm) => lab.daemon(vm).hostHalted(),
      (lab, vm) => lab.daemon(vm).hostBooted(),
      'Unable to find the Docker unix socket at /var/run/docker.sock. Please install and run Docker.',
    ],
  ]

  it.each(cases)(
    'when %s: no keys; a message at 120 s (not 100 s); destroyed when monitoring succeeds again',
    async (_what, breakIt, fixIt, body) => {
      const lab = await legacy()
      const vm = lab.vm('web-1')
      const a = lab.host('xs76-a')
      // Re-register at t=0 so the monitor thread starts now, with the fault already in place.
      await lab.plugin(a, 'deregister', { vmuuid: lab.uuid(vm) })
      breakIt(lab, vm)
      await lab.plugin(a, 'register', { vmuuid: lab.uuid(vm) })
      expect(lab.pool.xscontainer?.monitor(a)?.monitoredVms).toContain(vm)
      expect(lab.dockerKeys(vm)).toEqual([])

      await lab.clock.advance(100_000)
      expect(lab.dockerKeys(vm)).toEqual([])
      expect(cannotMonitor(lab)).toEqual([])
      await lab.clock.advance(20_000) // t = 120 s: the retry fails again, now past the warning time
      expect(cannotMonitor(lab)).toEqual([
        { name: CANNOT_MONITOR, cls: 'VM', obj_uuid: lab.uuid(vm), body, priority: 3 },
      ])
      // It is also a XAPI object clients see.
      const records =
        await lab.x<Record<string, { name: string; cls: string; obj_uuid: string }>>('message.get_all_records')
      expect(Object.values(records).filter((m) => m.name === CANNOT_MONITOR)).toMatchObject([
        { cls: 'VM', obj_uuid: lab.uuid(vm) },
      ])

      await lab.clock.advance(20_000) // t = 140 s: still failing, still one message
      expect(cannotMonitor(lab)).toHaveLength(1)
      fixIt(lab, vm)
      await lab.clock.advance(19_999)
      expect(cannotMonitor(lab)).toHaveLength(1)
      await lab.clock.advance(1) // t = 160 s: the retry succeeds
      expect(lab.dockerKeys(vm)).toEqual([...DOCKER_KEYS])
      expect(cannotMonitor(lab)).toEqual([])
    },
  )

  it('the message goes away when monitoring stops (deregister)', async () => {
    const lab = await legacy()
    const vm = lab.vm('web-1')
    const a = lab.host('xs76-a')
    await lab.plugin(a, 'deregister', { vmuuid: lab.uuid(vm) })
    setSsh(lab, vm, { poolKeyAuthorized: false })
    await lab.plugin(a, 'register', { vmuuid: lab.uuid(vm) })
    await lab.clock.advance(120_000)
    expect(cannotMonitor(lab)).toHaveLength(1)
    await lab.plugin(a, 'deregister', { vmuuid: lab.uuid(vm) })
    expect(cannotMonitor(lab)).toEqual([])
    await lab.clock.advance(120_000)
    expect(cannotMonitor(lab)).toEqual([])
  })
})

function setSsh(
  lab: Legacy,
  vm: string,
  patch: Partial<{ server: boolean; poolKeyAuthorized: boolean; ncat: boolean }>,
) {
  const ssh = lab.pool.guests.get(vm)?.ssh
  if (!ssh) throw new Error('the guest has no SSH model')
  Object.assign(ssh, patch)
}

describe('the pack removed from a host at run time', () => {
  it('stops that host monitor and makes host.call_plugin there answer XENAPI_MISSING_PLUGIN', async () => {
    const lab = await legacy()
    const a = lab.host('xs76-a')
    const web1 = lab.vm('web-1')
    const web2 = lab.vm('web-2')
    const pack = lab.pool.xscontainer
    if (!pack) throw new Error('lab-legacy has no pack')

    pack.uninstall(a)
    expect(pack.installedOn(a)).toBe(false)
    expect(pack.monitor(a)).toBeUndefined()
    // Monitoring stopped: the keys were wiped (§2.1), and a container event does not bring them back.
    expect(lab.dockerKeys(web1)).toEqual([])
    lab.daemon(web1).stop('nginx-front')
    await lab.clock.advance(60_000)
    expect(lab.otherConfig(web1)).not.toHaveProperty('docker_ps')
    expect(await errorOf(lab.plugin(a, 'get_top', { vmuuid: lab.uuid(web1), object: 'redis-cache' }))).toEqual([
      'XENAPI_MISSING_PLUGIN',
      'xscontainer',
    ])

    // xs76-b keeps its pack and monitor.
    expect(lab.dockerKeys(web2)).toEqual([...DOCKER_KEYS])
    lab.daemon(web2).stop('nginx-front')
    expect(lab.psOf(web2, 'nginx-front')?.status).toBe('Exited (0)')
    // From xs76-b, a call for a VM on xs76-a is forwarded there and fails inside the plugin (§1.4).
    expect(
      await errorOf(lab.plugin(lab.host('xs76-b'), 'get_top', { vmuuid: lab.uuid(web1), object: 'redis-cache' })),
    ).toEqual(['XENAPI_PLUGIN_FAILURE', 'get_top', 'Failure', "['XENAPI_MISSING_PLUGIN', 'xscontainer']"])

    // Reinstalled, the new monitor picks the VMs up again.
    pack.install(a)
    expect(lab.psOf(web1, 'nginx-front')?.status).toBe('Exited (0)')
    expect(lab.dockerKeys(lab.vm('registry'))).toEqual([...DOCKER_KEYS])
  })
})
