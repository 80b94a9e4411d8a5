/**
 * Turns one scenario pool into XAPI objects the way a real pool has them: a pool record with its
 * master, hosts with their software versions and control domains, SRs with PBDs, ISO libraries,
 * networks with PIFs, templates with provision XML, VMs with disks, CDs, VIFs and guest agents.
 */
import { XMLBuilder } from 'fast-xml-parser'
import type { SimClock } from './clock.js'
import type { Datamodel } from './datamodel.js'
import { DockerDaemon } from './docker/docker-daemon.js'
import { installGuestBoot } from './guest-boot/guest-boot.js'
import { GuestSsh } from './guest-ssh/guest-ssh.js'
import { reportGuestMetrics } from './handlers/guest-agent.js'
import { createVdi, createVm, randomMac } from './handlers/vm-factory.js'
import { NULL_REF } from './object-store.js'
import { type Scenario, ScenarioError, type ScenarioPool, type ScenarioVm } from './scenario.js'
import { SimPool } from './sim-pool.js'
import { toXapiDate } from './xapi-time.js'
import { XscontainerPack } from './xscontainer/install.js'

// suppressBooleanAttributes is off so `bootable="true"` keeps its value: xapi's parser
// (xapi_templates.ml `disk_of_xml`) needs every attribute as name="value" and fails the provision otherwise.
const provisionXml = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
})

export interface BuildPoolOptions {
  readonly scenario: Scenario
  readonly spec: ScenarioPool
  readonly model: Datamodel
  readonly clock: SimClock
  /** Loopback address each host answers on, in scenario order; the first host is the master. */
  readonly hostAddresses: readonly string[]
}

export function buildPool(options: BuildPoolOptions): SimPool {
  const { spec, clock } = options
  const pool = new SimPool({
    name: spec.name,
    model: options.model,
    clock,
    credentials: spec.credentials ?? options.scenario.credentials,
  })
  const { store } = pool
  const hosts = new Map<string, string>()
  spec.hosts.forEach((h, i) => {
    const metrics = store.create('host_metrics', { memory_total: h.memory, live: true })
    const ref = store.create('host', {
      name_label: h.name,
      hostname: h.name,
      address: options.hostAddresses[i] ?? '127.0.0.1',
      enabled: true,
      API_version_major: 2,
      API_version_minor: 21,
      API_version_vendor: 'XenSource',
      software_version: {
        product_brand: h.product.brand,
        product_version: h.product.version,
        build_number: h.product.build,
        platform_name: 'XCP',
        xapi: '1.20',
      },
      cpu_info: { cpu_count: String(h.cpus) },
      metrics,
    })
    hosts.set(h.name, ref)
    createVm(pool, {
      name_label: `Control domain on host: ${h.name}`,
      is_control_domain: true,
      power_state: 'Running',
      resident_on: ref,
      domid: 0,
    })
  })
  const master = hosts.get(spec.hosts[0]?.name ?? '') ?? NULL_REF

  const srs = new Map<string, string>()
  const isos = new Map<string, string>()
  let defaultSr = NULL_REF
  for (const s of spec.srs) {
    const ref = store.create('SR', {
      name_label: s.name,
      type: s.type,
      content_type: s.contentType,
      physical_size: s.size,
      shared: s.shared,
    })
    srs.set(s.name, ref)
    if (s.default) defaultSr = ref
    for (const hostRef of s.shared ? hosts.values() : [master]) {
      store.create('PBD', { SR: ref, host: hostRef, currently_attached: true, device_config: {} })
    }
    for (const iso of s.isos) {
      isos.set(iso.name, createVdi(pool, { name_label: iso.name, SR: ref, virtual_size: iso.size, read_only: true }))
    }
  }

  const networks = new Map<string, string>()
  spec.networks.forEach((n, i) => {
    const ref = store.create('network', { name_label: n.name, bridge: n.bridge, MTU: 1500 })
    networks.set(n.name, ref)
    for (const hostRef of hosts.values()) {
      store.create('PIF', {
        device: `eth${i}`,
        network: ref,
        host: hostRef,
        MAC: randomMac(),
        MTU: 1500,
        currently_attached: true,
        management: i === 0,
        IP: i === 0 ? String(store.get('host', hostRef).address) : '',
        ip_configuration_mode: i === 0 ? 'Static' : 'None',
      })
    }
  })

  store.create('pool', {
    name_label: spec.name,
    master,
    default_SR: defaultSr,
    suspend_image_SR: defaultSr,
    crash_dump_SR: defaultSr,
    other_config: {},
  })

  for (const t of spec.templates) {
    const disks = t.provision.map((d) => ({
      '@device': d.device,
      '@size': String(d.size),
      '@sr': d.sr ? String(store.get('SR', lookup(srs, d.sr, 'SR', `template ${t.name}`)).uuid) : '',
      '@bootable': String(d.bootable),
      '@type': d.type,
    }))
    const otherConfig = { ...t.otherConfig }
    if (disks.length > 0) otherConfig.disks = provisionXml.build({ provision: { disk: disks } })
    const ref = createVm(pool, {
      name_label: t.name,
      name_description: t.description,
      is_a_template: true,
      is_default_template: true,
      other_config: otherConfig,
      tags: t.tags,
      memory_static_max: t.memory,
      memory_dynamic_max: t.memory,
      memory_dynamic_min: t.memory,
      VCPUs_max: t.vcpus,
      VCPUs_at_startup: t.vcpus,
    })
    pool.guests.set(ref, { tools: t.guest.tools, ips: [], bootSeconds: 20, distro: t.guest.distro })
  }

  for (const v of spec.vms) addVm(pool, v, { hosts, srs, isos, networks, defaultSr })
  // VMs built while the simulator runs boot from what they were given (ISO, config drive).
  installGuestBoot(pool)
  // Installed last: the monitors start at once and write docker_* keys for the VMs they should watch.
  const packHosts = spec.hosts.filter((h) => h.xscontainer).map((h) => hosts.get(h.name) ?? NULL_REF)
  if (packHosts.length > 0) {
    pool.xscontainer = new XscontainerPack(pool)
    for (const host of packHosts) pool.xscontainer.install(host)
  }
  if (spec.faults) pool.faults.apply(spec.faults)
  return pool
}

interface Names {
  hosts: Map<string, string>
  srs: Map<string, string>
  isos: Map<string, string>
  networks: Map<string, string>
  defaultSr: string
}

/** `owner` is `VM web-1` or `template Debian`: the error names what in the scenario is wrong. */
function lookup(map: Map<string, string>, name: string, what: string, owner: string): string {
  const ref = map.get(name)
  // A ScenarioError like the schema's own: the scenario is wrong, not the simulator.
  if (!ref) throw new ScenarioError(`${owner}: no ${what} named "${name}" in this pool`)
  return ref
}

function addVm(pool: SimPool, v: ScenarioVm, names: Names): void {
  const { store } = pool
  const powered = v.power === 'running' || v.power === 'paused'
  // A host named by a halted VM is checked too: a typo must fail even where the host is unused.
  const named = v.host === undefined ? undefined : lookup(names.hosts, v.host, 'host', `VM ${v.name}`)
  const host = powered ? (named ?? [...names.hosts.values()][0]) : NULL_REF
  const ref = createVm(pool, {
    name_label: v.name,
    name_description: v.description,
    power_state: v.power[0]?.toUpperCase() + v.power.slice(1),
    resident_on: host ?? NULL_REF,
    domid: powered ? store.count('VM') + 1 : -1,
    other_config: v.otherConfig,
    tags: v.tags,
    memory_static_max: v.memory,
    memory_dynamic_max: v.memory,
    memory_dynamic_min: v.memory,
    VCPUs_max: v.vcpus,
    VCPUs_at_startup: v.vcpus,
  })
  if (powered)
    store.update('VM_metrics', String(store.get('VM', ref).metrics), { start_time: toXapiDate(pool.clock.now()) })
  v.disks.forEach((d, i) => {
    const sr = d.sr ? lookup(names.srs, d.sr, 'SR', `VM ${v.name}`) : names.defaultSr
    const vdi = createVdi(pool, { name_label: `${v.name} disk ${i}`, SR: sr, virtual_size: d.size, type: 'system' })
    store.create('VBD', {
      VM: ref,
      VDI: vdi,
      userdevice: String(i),
      bootable: i === 0,
      mode: 'RW',
      type: 'Disk',
      currently_attached: powered,
    })
  })
  if (v.cdrom !== undefined) {
    const iso = lookup(names.isos, v.cdrom, 'ISO', `VM ${v.name}`)
    store.create('VBD', {
      VM: ref,
      VDI: iso,
      userdevice: '3',
      mode: 'RO',
      type: 'CD',
      empty: false,
      currently_attached: powered,
    })
  }
  const nets = v.networks ?? [...names.networks.keys()].slice(0, 1)
  nets.forEach((n, i) => {
    const network = lookup(names.networks, n, 'network', `VM ${v.name}`)
    store.create('VIF', {
      VM: ref,
      network,
      device: String(i),
      MAC: randomMac(),
      MTU: 1500,
      currently_attached: powered,
    })
  })
  pool.guests.set(ref, { tools: v.tools, ips: v.ips, bootSeconds: v.bootSeconds, distro: v.distro })
  if (v.docker) addDockerGuest(pool, ref, v)
  // A VM that is already running in the scenario has booted long ago: its agent has reported.
  if (v.power === 'running' && v.tools) reportGuestMetrics(pool, ref)
}

/** A guest running Docker: its engine (up when the VM runs), its SSH face, and its registration. */
function addDockerGuest(pool: SimPool, ref: string, v: ScenarioVm): void {
  const spec = v.docker
  const guest = pool.guests.get(ref)
  if (!spec || !guest) return
  guest.ssh = new GuestSsh(spec.ssh)
  guest.docker = new DockerDaemon({
    clock: pool.clock,
    hostname: v.name.toLowerCase(),
    containers: spec.containers,
    up: v.power === 'running',
    ...(spec.engineVersion ? { engineVersion: spec.engineVersion } : {}),
    ...(spec.os ? { os: spec.os } : {}),
  })
  if (spec.monitor !== undefined) {
    const otherConfig = pool.store.get('VM', ref).other_config as Record<string, string>
    pool.store.update('VM', ref, {
      other_config: { ...otherConfig, 'xscontainer-monitor': spec.monitor ? 'True' : 'False' },
    })
  }
}
