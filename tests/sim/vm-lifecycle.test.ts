/**
 * The VM lifecycle subset over JSON-RPC, against the `lab` scenario: clone, copy, provision, start,
 * shutdowns, reboot, destroy, operations in progress, allowed devices, and the guest agent's report
 * after boot. Errors are xapi's (xapi_vm_lifecycle.ml): VM_BAD_POWER_STATE lists the allowed states
 * in lower case joined by ", ", VM_IS_TEMPLATE names the operation.
 */
import { describe, expect, it } from 'vitest'
import type { ManualClock as ManualClockType } from '../../src/sim/clock.js'
import { parseScenario, type Scenario } from '../../src/sim/scenario.js'
import type { SimPool } from '../../src/sim/sim-pool.js'
import { call, errorOf, login, ManualClock, startSim } from '../helpers/sim.js'

type Rec = Record<string, unknown>

const GiB = 1024 ** 3
const NULL = 'OpaqueRef:NULL'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const TEMPLATE = 'Debian Bookworm 12'

interface Lab {
  pool: SimPool
  /** Calls a method with the session prepended. */
  x<T = unknown>(method: string, ...params: unknown[]): Promise<T>
  /** The ref of the one object of `cls` with this name_label. */
  named(cls: string, name: string): Promise<string>
  rec(cls: string, ref: string): Promise<Rec>
}

async function open(options: { clock?: ManualClockType; scenario?: Scenario; pool?: string } = {}): Promise<Lab> {
  const sim = await startSim({
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.scenario ? { scenario: options.scenario } : {}),
  })
  const running = sim.pool(options.pool ?? 'lab')
  const session = await login(sim, running.name)
  const x = <T = unknown>(method: string, ...params: unknown[]) => call<T>(running.url, method, session, ...params)
  return {
    pool: running.pool,
    x,
    async named(cls, name) {
      const refs = await x<string[]>(`${cls}.get_by_name_label`, name)
      expect(refs, `${cls} named ${name}`).toHaveLength(1)
      return refs[0] ?? ''
    },
    rec: (cls, ref) => x<Rec>(`${cls}.get_record`, ref),
  }
}

/** The single entry of a VM's current_operations, as [op ref, op]. */
async function onlyOperation(lab: Lab, vm: string): Promise<[string, string]> {
  const ops = Object.entries(await lab.x<Record<string, string>>('VM.get_current_operations', vm))
  expect(ops).toHaveLength(1)
  return ops[0] ?? ['', '']
}

describe('VM.clone, VM.copy, VM.provision', () => {
  it('clones a halted template: new name and uuid, disks copied, CDs shared, VIFs recreated with new MACs', async () => {
    const lab = await open()
    const template = await lab.named('VM', TEMPLATE)
    const local = await lab.named('SR', 'Local storage')
    const iso = await lab.named('VDI', 'debian-12-netinst.iso')
    const network = await lab.named('network', 'Pool-wide network associated with eth0')
    // Give the template a disk, a CD and a VIF so there is something to recreate.
    const disk = await lab.x<string>('VDI.create', {
      name_label: 'template disk',
      SR: local,
      virtual_size: 3 * GiB,
      type: 'system',
      sharable: false,
      read_only: false,
      other_config: {},
    })
    await lab.x('VBD.create', { VM: template, VDI: disk, userdevice: '0', type: 'Disk', mode: 'RW', bootable: true })
    await lab.x('VBD.create', { VM: template, VDI: iso, userdevice: '3', type: 'CD', mode: 'RO', bootable: false })
    const templateVif = await lab.x<string>('VIF.create', { VM: template, network, device: '0', MTU: 1500 })
    const vdisBefore = (await lab.x<string[]>('VDI.get_all')).length

    const clone = await lab.x<string>('VM.clone', template, 'web-2')
    const t = await lab.rec('VM', template)
    const c = await lab.rec('VM', clone)
    expect(clone).not.toBe(template)
    expect(c.name_label).toBe('web-2')
    expect(c.uuid).toMatch(UUID)
    expect(c.uuid).not.toBe(t.uuid)
    expect(c.power_state).toBe('Halted')
    expect(c.resident_on).toBe(NULL)
    // xapi_vm_clone.ml keeps is_a_template (VM.provision clears it), drops the default-template mark
    // and remembers the template's name.
    expect(c.is_a_template).toBe(true)
    expect(c.is_default_template).toBe(false)
    const otherConfig = c.other_config as Record<string, string>
    expect(otherConfig.base_template_name).toBe(TEMPLATE)
    expect(otherConfig.disks).toBe((t.other_config as Record<string, string>).disks)
    expect(otherConfig.mac_seed).toMatch(UUID)
    expect(c.metrics).not.toBe(t.metrics)

    const vbds = await Promise.all((c.VBDs as string[]).map((ref) => lab.rec('VBD', ref)))
    const byDevice = new Map(vbds.map((v) => [v.userdevice, v]))
    expect([...byDevice.keys()].sort()).toEqual(['0', '3'])
    const cd = byDevice.get('3') ?? {}
    expect(cd).toMatchObject({ type: 'CD', VDI: iso, empty: false, mode: 'RO', VM: clone })
    const newDisk = byDevice.get('0') ?? {}
    expect(newDisk).toMatchObject({ type: 'Disk', bootable: true, mode: 'RW', VM: clone })
    expect(newDisk.VDI).not.toBe(disk)
    expect(await lab.rec('VDI', String(newDisk.VDI))).toMatchObject({ SR: local, virtual_size: 3 * GiB })
    expect(await lab.x<string[]>('VDI.get_all')).toHaveLength(vdisBefore + 1)
    // The template keeps its own devices.
    expect(t.VBDs).toHaveLength(2)
    expect(t.VIFs).toEqual([templateVif])

    expect(c.VIFs).toHaveLength(1)
    const vif = await lab.rec('VIF', (c.VIFs as string[])[0] ?? '')
    const original = await lab.rec('VIF', templateVif)
    expect(vif).toMatchObject({ network, device: '0', MTU: 1500, VM: clone })
    expect(vif.MAC).not.toBe(original.MAC)
  })

  it('refuses to clone a running VM: VM_BAD_POWER_STATE [vm, halted, running]', async () => {
    const lab = await open()
    const web = await lab.named('VM', 'web-1')
    expect(await errorOf(lab.x('VM.clone', web, 'web-1-clone'))).toEqual([
      'VM_BAD_POWER_STATE',
      web,
      'halted',
      'running',
    ])
    expect(await lab.x<string[]>('VM.get_by_name_label', 'web-1-clone')).toEqual([])
  })

  it('copies to another SR (disks land there, same sizes); an SR ref that does not exist means "same SR"; never to an ISO SR', async () => {
    const scenario = parseScenario(
      `
name: copy
pools:
  - name: copy
    hosts: [{ name: h1 }]
    srs:
      - { name: Local storage, default: true }
      - { name: Fast storage }
      - { name: ISO library, type: iso, contentType: iso, shared: true }
    networks: [{ name: net0, bridge: xenbr0 }]
    vms:
      - { name: src, disks: [{ size: 10GiB }, { size: 1GiB }] }
`,
      'copy.yaml',
    )
    const lab = await open({ scenario, pool: 'copy' })
    const src = await lab.named('VM', 'src')
    const local = await lab.named('SR', 'Local storage')
    const fast = await lab.named('SR', 'Fast storage')
    const isoSr = await lab.named('SR', 'ISO library')
    const disksOf = async (vm: string) => {
      const vbds = await Promise.all(((await lab.rec('VM', vm)).VBDs as string[]).map((r) => lab.rec('VBD', r)))
      vbds.sort((a, b) => Number(a.userdevice) - Number(b.userdevice))
      return Promise.all(vbds.map((v) => lab.rec('VDI', String(v.VDI))))
    }
    const sourceDisks = await disksOf(src)

    const copy = await lab.x<string>('VM.copy', src, 'src-fast', fast)
    expect(await lab.x('VM.get_name_label', copy)).toBe('src-fast')
    const copied = await disksOf(copy)
    expect(copied.map((d) => [d.SR, d.virtual_size])).toEqual([
      [fast, 10 * GiB],
      [fast, 1 * GiB],
    ])
    expect(copied.map((d) => d.uuid)).not.toContain(sourceDisks[0]?.uuid)
    expect((await disksOf(src)).map((d) => d.SR)).toEqual([local, local])

    // XO's createVm sends '' as the SR (xapi_vm.ml: "It's not an error to not exist at all").
    for (const sr of ['', NULL]) {
      const same = await lab.x<string>('VM.copy', src, `src-same-${sr}`, sr)
      expect((await disksOf(same)).map((d) => [d.SR, d.virtual_size])).toEqual([
        [local, 10 * GiB],
        [local, 1 * GiB],
      ])
    }

    expect(await errorOf(lab.x('VM.copy', src, 'src-iso', isoSr))).toEqual([
      'OPERATION_NOT_ALLOWED',
      "Cannot copy a VM's disks to an ISO SR",
    ])
  })

  it("provisions a template clone from other_config.disks: an 8 GiB bootable disk at device 0 on the pool's default SR", async () => {
    const lab = await open()
    const template = await lab.named('VM', TEMPLATE)
    const xml = (await lab.x<Record<string, string>>('VM.get_other_config', template)).disks
    expect(xml).toBe('<provision><disk device="0" size="8589934592" sr="" bootable="true" type="system"/></provision>')
    const vm = await lab.x<string>('VM.clone', template, 'deb-1')
    expect(await lab.x('VM.get_VBDs', vm)).toEqual([])
    const vdisBefore = (await lab.x<string[]>('VDI.get_all')).length

    expect(await lab.x('VM.provision', vm)).toBe('')
    const record = await lab.rec('VM', vm)
    expect(record.is_a_template).toBe(false)
    // xapi_templates.ml post_install removes the spec, so a second provision cannot double the disks.
    expect((record.other_config as Rec).disks).toBeUndefined()
    expect(record.VBDs).toHaveLength(1)
    const vbd = await lab.rec('VBD', (record.VBDs as string[])[0] ?? '')
    expect(vbd).toMatchObject({ userdevice: '0', bootable: true, type: 'Disk', mode: 'RW', empty: false, VM: vm })
    const vdi = await lab.rec('VDI', String(vbd.VDI))
    const pools = await lab.x<Record<string, Rec>>('pool.get_all_records')
    const defaultSr = Object.values(pools)[0]?.default_SR
    expect(vdi).toMatchObject({ virtual_size: 8589934592, SR: defaultSr, type: 'system' })
    expect(await lab.x<string[]>('VDI.get_all')).toHaveLength(vdisBefore + 1)
    // The template itself is untouched.
    expect(await lab.x('VM.get_VBDs', template)).toEqual([])
    expect((await lab.x<Rec>('VM.get_other_config', template)).disks).toBe(xml)

    // Now a VM, it can start; and provision is for templates only (ONLY_PROVISION_TEMPLATE).
    await lab.x('VM.start', vm, false, false)
    expect(await lab.x('VM.get_power_state', vm)).toBe('Running')
    const db = await lab.named('VM', 'db-1')
    expect(await errorOf(lab.x('VM.provision', db))).toEqual(['ONLY_PROVISION_TEMPLATE'])
  })
})

describe('VM.start and VM.start_on', () => {
  it('starts a halted VM: Running, resident on a host, domid > 0, devices attached', async () => {
    const lab = await open()
    const db = await lab.named('VM', 'db-1')
    const hosts = await lab.x<string[]>('host.get_all')
    const before = await lab.rec('VM', db)
    expect(before).toMatchObject({ power_state: 'Halted', resident_on: NULL, domid: -1 })

    expect(await lab.x('VM.start', db, false, false)).toBe('')
    const vm = await lab.rec('VM', db)
    expect(vm.power_state).toBe('Running')
    expect(hosts).toContain(vm.resident_on)
    expect(await lab.x('host.get_resident_VMs', vm.resident_on)).toContain(db)
    expect(vm.domid).toBeGreaterThan(0)
    // No other domain has this domid.
    const others = Object.entries(await lab.x<Record<string, Rec>>('VM.get_all_records')).filter(
      ([ref, r]) => ref !== db && r.power_state === 'Running',
    )
    expect(others.map(([, r]) => r.domid)).not.toContain(vm.domid)
    expect(vm.current_operations).toEqual({})
    const vbds = await Promise.all((vm.VBDs as string[]).map((r) => lab.rec('VBD', r)))
    const vifs = await Promise.all((vm.VIFs as string[]).map((r) => lab.rec('VIF', r)))
    expect(vbds.length).toBe(1)
    expect(vifs.length).toBe(1)
    expect([...vbds, ...vifs].map((d) => d.currently_attached)).toEqual([true, true])
    expect((await lab.rec('VM_metrics', String(vm.metrics))).start_time).toMatch(/^\d{8}T\d\d:\d\d:\d\dZ$/)
  })

  it('refuses a template (VM_IS_TEMPLATE [vm, op]) and a running VM (VM_BAD_POWER_STATE [vm, halted, running])', async () => {
    const lab = await open()
    const template = await lab.named('VM', TEMPLATE)
    const web = await lab.named('VM', 'web-1')
    const host = await lab.named('host', 'lab-host-1')
    expect(await errorOf(lab.x('VM.start', template, false, false))).toEqual(['VM_IS_TEMPLATE', template, 'start'])
    expect(await errorOf(lab.x('VM.start_on', template, host, false, false))).toEqual([
      'VM_IS_TEMPLATE',
      template,
      'start_on',
    ])
    expect(await errorOf(lab.x('VM.start', web, false, false))).toEqual([
      'VM_BAD_POWER_STATE',
      web,
      'halted',
      'running',
    ])
    expect(await lab.x('VM.get_power_state', template)).toBe('Halted')
  })

  it('start_on puts the VM on the given host; a host ref that does not exist is HANDLE_INVALID', async () => {
    const lab = await open()
    const db = await lab.named('VM', 'db-1')
    const host2 = await lab.named('host', 'lab-host-2')
    const bogus = 'OpaqueRef:00000000-0000-0000-0000-000000000000'
    expect(await errorOf(lab.x('VM.start_on', db, bogus, false, false))).toEqual(['HANDLE_INVALID', 'host', bogus])
    expect(await lab.x('VM.get_power_state', db)).toBe('Halted')

    await lab.x('VM.start_on', db, host2, false, false)
    expect(await lab.rec('VM', db)).toMatchObject({ power_state: 'Running', resident_on: host2 })
    expect(await lab.x('host.get_resident_VMs', host2)).toContain(db)
  })

  it('start with paused=true leaves the VM Paused, and its guest agent does not report', async () => {
    const clock = new ManualClock()
    const lab = await open({ clock })
    const db = await lab.named('VM', 'db-1')
    const timers = clock.pending
    const task = await lab.x<string>('Async.VM.start', db, true, false)
    await clock.advance(4000)
    expect(await lab.x('task.get_status', task)).toBe('success')
    // No guest report was scheduled.
    expect(clock.pending).toBe(timers)
    await clock.advance(60_000)
    expect(await lab.rec('VM', db)).toMatchObject({ power_state: 'Paused', guest_metrics: NULL })
  })
})

describe('shutdown, reboot, destroy', () => {
  it('clean_shutdown: Halted, resident_on NULL, domid -1, devices detached, guest metrics record gone', async () => {
    const lab = await open()
    const web = await lab.named('VM', 'web-1')
    const before = await lab.rec('VM', web)
    const metrics = String(before.guest_metrics)
    expect(metrics).not.toBe(NULL)
    expect(Object.keys(await lab.x<Rec>('VM_guest_metrics.get_all_records'))).toContain(metrics)

    expect(await lab.x('VM.clean_shutdown', web)).toBe('')
    const vm = await lab.rec('VM', web)
    expect(vm).toMatchObject({ power_state: 'Halted', resident_on: NULL, guest_metrics: NULL, domid: -1 })
    expect(Object.keys(await lab.x<Rec>('VM_guest_metrics.get_all_records'))).not.toContain(metrics)
    expect(await errorOf(lab.x('VM_guest_metrics.get_record', metrics))).toEqual([
      'HANDLE_INVALID',
      'VM_guest_metrics',
      metrics,
    ])
    expect(await lab.x('host.get_resident_VMs', before.resident_on)).not.toContain(web)
    const devices = [
      ...(await Promise.all((vm.VBDs as string[]).map((r) => lab.rec('VBD', r)))),
      ...(await Promise.all((vm.VIFs as string[]).map((r) => lab.rec('VIF', r)))),
    ]
    expect(devices.map((d) => d.currently_attached)).toEqual([false, false])

    expect(await errorOf(lab.x('VM.clean_shutdown', web))).toEqual(['VM_BAD_POWER_STATE', web, 'running', 'halted'])
  })

  it('hard_shutdown halts a running VM; a halted one is VM_BAD_POWER_STATE [vm, "paused, suspended, running", halted]', async () => {
    const lab = await open()
    const appliance = await lab.named('VM', 'appliance-no-tools')
    await lab.x('VM.hard_shutdown', appliance)
    expect(await lab.rec('VM', appliance)).toMatchObject({ power_state: 'Halted', resident_on: NULL, domid: -1 })
    // The CD drive is detached with the rest.
    const vbds = await Promise.all(((await lab.rec('VM', appliance)).VBDs as string[]).map((r) => lab.rec('VBD', r)))
    expect(vbds.map((v) => [v.type, v.currently_attached])).toEqual([
      ['Disk', false],
      ['CD', false],
    ])
    expect(await errorOf(lab.x('VM.hard_shutdown', appliance))).toEqual([
      'VM_BAD_POWER_STATE',
      appliance,
      'paused, suspended, running',
      'halted',
    ])
  })

  it('clean_reboot keeps the VM Running on its host with a new domid; the guest metrics come back after the boot delay', async () => {
    const clock = new ManualClock()
    const lab = await open({ clock })
    const web = await lab.named('VM', 'web-1')
    const before = await lab.rec('VM', web)
    expect(before.guest_metrics).not.toBe(NULL)

    const task = await lab.x<string>('Async.VM.clean_reboot', web)
    expect(await onlyOperation(lab, web)).toEqual([expect.stringMatching(/^OpaqueRef:/), 'clean_reboot'])
    await clock.advance(6000)
    expect(await lab.x('task.get_status', task)).toBe('success')
    const rebooted = await lab.rec('VM', web)
    expect(rebooted).toMatchObject({ power_state: 'Running', resident_on: before.resident_on, guest_metrics: NULL })
    expect(rebooted.domid).not.toBe(before.domid)
    expect(rebooted.domid).toBeGreaterThan(0)
    expect(await lab.x('VM_guest_metrics.get_all')).toEqual([])

    // web-1 boots in the scenario's default 20 s.
    await clock.advance(19_999)
    expect(await lab.x('VM.get_guest_metrics', web)).toBe(NULL)
    await clock.advance(1)
    const metrics = await lab.x<string>('VM.get_guest_metrics', web)
    expect(metrics).not.toBe(NULL)
    expect((await lab.rec('VM_guest_metrics', metrics)).networks).toMatchObject({
      '0/ip': '10.99.0.11',
      '0/ipv4/0': '10.99.0.11',
    })
    expect(await errorOf(lab.x('VM.clean_reboot', await lab.named('VM', 'db-1')))).toEqual([
      'VM_BAD_POWER_STATE',
      await lab.named('VM', 'db-1'),
      'running',
      'halted',
    ])
  })

  it('destroy: a running VM is VM_BAD_POWER_STATE; a halted one goes with its VBDs and VIFs but not its VDIs', async () => {
    const lab = await open()
    const web = await lab.named('VM', 'web-1')
    expect(await errorOf(lab.x('VM.destroy', web))).toEqual(['VM_BAD_POWER_STATE', web, 'halted, suspended', 'running'])

    const db = await lab.named('VM', 'db-1')
    const record = await lab.rec('VM', db)
    const vbds = record.VBDs as string[]
    const vifs = record.VIFs as string[]
    const vdis = await Promise.all(vbds.map((r) => lab.x<string>('VBD.get_VDI', r)))
    expect([vbds.length, vifs.length, vdis.length]).toEqual([1, 1, 1])
    const network = await lab.x<string>('VIF.get_network', vifs[0])

    expect(await lab.x('VM.destroy', db)).toBe('')
    expect(await errorOf(lab.rec('VM', db))).toEqual(['HANDLE_INVALID', 'VM', db])
    expect(await lab.x<string[]>('VM.get_by_name_label', 'db-1')).toEqual([])
    expect(await errorOf(lab.rec('VBD', vbds[0] ?? ''))).toEqual(['HANDLE_INVALID', 'VBD', vbds[0]])
    expect(await errorOf(lab.rec('VIF', vifs[0] ?? ''))).toEqual(['HANDLE_INVALID', 'VIF', vifs[0]])
    expect(await errorOf(lab.rec('VM_metrics', String(record.metrics)))).toEqual([
      'HANDLE_INVALID',
      'VM_metrics',
      record.metrics,
    ])
    const vdi = await lab.rec('VDI', vdis[0] ?? '')
    expect(vdi.name_label).toBe('db-1 disk 0')
    expect(vdi.VBDs).toEqual([])
    expect(await lab.x('network.get_VIFs', network)).not.toContain(vifs[0])
  })

  it('a default template cannot be destroyed (VM_IS_TEMPLATE [vm, destroy]); a clone of it can', async () => {
    const lab = await open()
    const template = await lab.named('VM', TEMPLATE)
    expect(await errorOf(lab.x('VM.destroy', template))).toEqual(['VM_IS_TEMPLATE', template, 'destroy'])
    const clone = await lab.x<string>('VM.clone', template, 'my template')
    await lab.x('VM.destroy', clone)
    expect(await lab.x<string[]>('VM.get_by_name_label', 'my template')).toEqual([])
  })
})

describe('operations in progress', () => {
  it('while Async.VM.start runs, another operation is OTHER_OPERATION_IN_PROGRESS [VM, vm, start, op ref]', async () => {
    const clock = new ManualClock()
    const lab = await open({ clock })
    const db = await lab.named('VM', 'db-1')
    const task = await lab.x<string>('Async.VM.start', db, false, false)
    const [opRef, op] = await onlyOperation(lab, db)
    expect(op).toBe('start')
    expect(opRef).toMatch(/^OpaqueRef:/)
    const busy = ['OTHER_OPERATION_IN_PROGRESS', 'VM', db, 'start', opRef]
    expect(await errorOf(lab.x('VM.start', db, false, false))).toEqual(busy)
    expect(await errorOf(lab.x('VM.clone', db, 'db-2'))).toEqual(busy)
    expect(await errorOf(lab.x('VM.copy', db, 'db-3', NULL))).toEqual(busy)
    expect(await errorOf(lab.x('VM.destroy', db))).toEqual(busy)
    // xapi checks the power state first.
    expect(await errorOf(lab.x('VM.clean_shutdown', db))).toEqual(['VM_BAD_POWER_STATE', db, 'running', 'halted'])
    expect(await lab.x('task.get_status', task)).toBe('pending')
    expect(await lab.x('VM.get_power_state', db)).toBe('Halted')

    await clock.advance(3999)
    expect(await lab.x('task.get_status', task)).toBe('pending')
    await clock.advance(1)
    expect(await lab.x('task.get_status', task)).toBe('success')
    expect(await lab.rec('VM', db)).toMatchObject({ power_state: 'Running', current_operations: {} })
    expect(await lab.x<string[]>('VM.get_by_name_label', 'db-2')).toEqual([])
  })

  it("keys current_operations by the Async task's ref, so OTHER_OPERATION_IN_PROGRESS names the task", async () => {
    const clock = new ManualClock()
    const lab = await open({ clock })
    const db = await lab.named('VM', 'db-1')
    const task = await lab.x<string>('Async.VM.start', db, false, false)
    const [opRef] = await onlyOperation(lab, db)
    // message_forwarding.ml with_vm_operation uses the calling task as the operation's key.
    expect(opRef).toBe(task)
    expect(await errorOf(lab.x('VM.clone', db, 'db-2'))).toEqual([
      'OTHER_OPERATION_IN_PROGRESS',
      'VM',
      db,
      'start',
      task,
    ])
    await clock.advance(4000)
    expect(await lab.x('task.get_status', task)).toBe('success')
  })

  it('a hard shutdown may overtake a clean shutdown in progress, but not another hard shutdown', async () => {
    const clock = new ManualClock()
    const lab = await open({ clock })
    const web = await lab.named('VM', 'web-1')
    const clean = await lab.x<string>('Async.VM.clean_shutdown', web)
    const hard = await lab.x<string>('Async.VM.hard_shutdown', web)
    const ops = Object.values(await lab.x<Record<string, string>>('VM.get_current_operations', web))
    expect(ops.sort()).toEqual(['clean_shutdown', 'hard_shutdown'])
    await clock.advance(1000)
    expect(await lab.x('task.get_status', hard)).toBe('success')
    expect(await lab.x('VM.get_power_state', web)).toBe('Halted')
    await clock.advance(3000)
    expect(await lab.rec('task', clean)).toMatchObject({
      status: 'failure',
      error_info: ['VM_BAD_POWER_STATE', web, 'running', 'halted'],
    })
    expect(await lab.x('VM.get_current_operations', web)).toEqual({})

    const appliance = await lab.named('VM', 'appliance-no-tools')
    await lab.x<string>('Async.VM.hard_shutdown', appliance)
    const [opRef] = await onlyOperation(lab, appliance)
    expect(await errorOf(lab.x('VM.hard_shutdown', appliance))).toEqual([
      'OTHER_OPERATION_IN_PROGRESS',
      'VM',
      appliance,
      'hard_shutdown',
      opRef,
    ])
    await clock.advance(1000)
  })
})

describe('allowed devices', () => {
  it('get_allowed_VBD_devices and get_allowed_VIF_devices leave out the devices in use', async () => {
    const lab = await open()
    const db = await lab.named('VM', 'db-1')
    const appliance = await lab.named('VM', 'appliance-no-tools')
    const vbdDevices = await lab.x<string[]>('VM.get_allowed_VBD_devices', db)
    expect(vbdDevices[0]).toBe('1')
    expect(vbdDevices).not.toContain('0')
    expect(vbdDevices).toContain('2')
    expect(vbdDevices).toHaveLength(15)
    // The appliance has its disk at 0 and its CD at 3.
    const applianceDevices = await lab.x<string[]>('VM.get_allowed_VBD_devices', appliance)
    expect(applianceDevices.slice(0, 3)).toEqual(['1', '2', '4'])
    expect(applianceDevices).toHaveLength(14)
    expect(await lab.x('VM.get_allowed_VIF_devices', db)).toEqual(['1', '2', '3', '4', '5', '6'])

    // A new VBD at the first allowed device takes it off the list.
    const vdi = await lab.x<string>('VDI.create', {
      name_label: 'data',
      SR: await lab.named('SR', 'Local storage'),
      virtual_size: GiB,
      type: 'user',
    })
    await lab.x('VBD.create', { VM: db, VDI: vdi, userdevice: 'autodetect', type: 'Disk', mode: 'RW' })
    const after = await lab.x<string[]>('VM.get_allowed_VBD_devices', db)
    expect(after[0]).toBe('2')
    expect(after).toHaveLength(14)
  })
})

describe('guest agent', () => {
  it('reports after bootSeconds of simulated time: networks 0/ip, 0/ipv4/0, 0/ipv6/0 and PV drivers detected', async () => {
    const clock = new ManualClock()
    const lab = await open({ clock })
    const db = await lab.named('VM', 'db-1')
    const task = await lab.x<string>('Async.VM.start', db, false, false)
    await clock.advance(4000)
    expect(await lab.x('task.get_status', task)).toBe('success')
    expect(await lab.x('VM.get_power_state', db)).toBe('Running')
    expect(await lab.x('VM.get_guest_metrics', db)).toBe(NULL)

    // db-1 has bootSeconds: 30 in lab.yaml.
    await clock.advance(29_999)
    expect(await lab.x('VM.get_guest_metrics', db)).toBe(NULL)
    await clock.advance(1)
    const metrics = await lab.x<string>('VM.get_guest_metrics', db)
    expect(metrics).not.toBe(NULL)
    const record = await lab.rec('VM_guest_metrics', metrics)
    const domid = await lab.x('VM.get_domid', db)
    expect(record.networks).toEqual({
      '0/ip': '10.99.0.12',
      '0/ipv4/0': '10.99.0.12',
      '0/ipv6/0': `fe80::${domid}`,
    })
    expect(record.PV_drivers_detected).toBe(true)
    expect(record.PV_drivers_up_to_date).toBe(true)
    expect(record.live).toBe(true)
    expect(record.last_updated).toBe('20260101T00:00:34Z')
    expect(record.os_version).toMatchObject({ distro: 'linux' })
    expect(await lab.x('VM_guest_metrics.get_all')).toHaveLength(2)
  })

  it('a VM without tools never gets guest metrics', async () => {
    const clock = new ManualClock()
    const lab = await open({ clock })
    const appliance = await lab.named('VM', 'appliance-no-tools')
    expect(await lab.x('VM.get_guest_metrics', appliance)).toBe(NULL)
    await lab.x('Async.VM.hard_shutdown', appliance)
    await clock.advance(1000)
    const timers = clock.pending
    await lab.x('Async.VM.start', appliance, false, false)
    await clock.advance(4000)
    expect(await lab.x('VM.get_power_state', appliance)).toBe('Running')
    // Nothing is even scheduled.
    expect(clock.pending).toBe(timers)
    await clock.advance(3_600_000)
    expect(await lab.x('VM.get_guest_metrics', appliance)).toBe(NULL)
  })

  it('a reboot before the boot delay has passed does not let the first boot report late', async () => {
    const clock = new ManualClock()
    const lab = await open({ clock })
    const db = await lab.named('VM', 'db-1')
    await lab.x('Async.VM.start', db, false, false)
    await clock.advance(4000) // running at t=4 s; the first boot would report at t=34 s
    await clock.advance(6000)
    const reboot = await lab.x<string>('Async.VM.clean_reboot', db)
    await clock.advance(6000) // rebooted at t=16 s; the second boot reports at t=46 s
    expect(await lab.x('task.get_status', reboot)).toBe('success')
    await clock.advance(29_999) // t=45.999 s, well past the stale t=34 s report
    expect(await lab.x('VM.get_guest_metrics', db)).toBe(NULL)
    expect(await lab.x('VM_guest_metrics.get_all')).toHaveLength(1) // web-1's
    await clock.advance(1)
    expect(await lab.x('VM.get_guest_metrics', db)).not.toBe(NULL)
    expect(await lab.x('VM_guest_metrics.get_all')).toHaveLength(2)
  })

  it('a shutdown before the boot delay has passed leaves no report behind', async () => {
    const clock = new ManualClock()
    const lab = await open({ clock })
    const db = await lab.named('VM', 'db-1')
    await lab.x('Async.VM.start', db, false, false)
    await clock.advance(4000)
    await lab.x('Async.VM.hard_shutdown', db)
    await clock.advance(60_000)
    expect(await lab.rec('VM', db)).toMatchObject({ power_state: 'Halted', guest_metrics: NULL })
    expect(await lab.x('VM_guest_metrics.get_all')).toHaveLength(1)
  })
})
