/**
 * VBDs, VDIs, VIFs, secrets and messages over JSON-RPC, against the `lab` scenario, with xapi's
 * device rules and errors (xapi_vbd.ml, xapi_vbd_helpers.ml, xapi_vdi.ml, xapi_vif_helpers.ml).
 */
import { describe, expect, it } from 'vitest'
import { call, errorOf, login, startSim } from '../helpers/sim.js'

type Rec = Record<string, unknown>

const GiB = 1024 ** 3
const NULL = 'OpaqueRef:NULL'

interface Lab {
  x<T = unknown>(method: string, ...params: unknown[]): Promise<T>
  named(cls: string, name: string): Promise<string>
  rec(cls: string, ref: string): Promise<Rec>
  /** A new 1 GiB user VDI on the local SR. */
  newVdi(name: string): Promise<string>
  /** The VM's VBD at a userdevice. */
  vbdAt(vm: string, userdevice: string): Promise<string>
}

async function open(): Promise<Lab> {
  const sim = await startSim()
  const running = sim.pool('lab')
  const session = await login(sim)
  const x = <T = unknown>(method: string, ...params: unknown[]) => call<T>(running.url, method, session, ...params)
  const named = async (cls: string, name: string) => {
    const refs = await x<string[]>(`${cls}.get_by_name_label`, name)
    expect(refs, `${cls} named ${name}`).toHaveLength(1)
    return refs[0] ?? ''
  }
  return {
    x,
    named,
    rec: (cls, ref) => x<Rec>(`${cls}.get_record`, ref),
    newVdi: async (name) =>
      x<string>('VDI.create', {
        name_label: name,
        SR: await named('SR', 'Local storage'),
        virtual_size: GiB,
        type: 'user',
        sharable: false,
        read_only: false,
        other_config: {},
      }),
    async vbdAt(vm, userdevice) {
      for (const vbd of await x<string[]>('VM.get_VBDs', vm)) {
        if ((await x('VBD.get_userdevice', vbd)) === userdevice) return vbd
      }
      throw new Error(`no VBD at ${userdevice}`)
    },
  }
}

describe('VBD.create', () => {
  it("'autodetect' takes the first free userdevice; a used one is DEVICE_ALREADY_EXISTS [device]", async () => {
    const lab = await open()
    const db = await lab.named('VM', 'db-1')
    const vdi = await lab.newVdi('data')
    const vbd = await lab.x<string>('VBD.create', {
      VM: db,
      VDI: vdi,
      userdevice: 'autodetect',
      bootable: false,
      mode: 'RW',
      type: 'Disk',
      unpluggable: true,
      empty: false,
      other_config: { owner: 'test' },
      qos_algorithm_type: '',
      qos_algorithm_params: {},
    })
    expect(await lab.rec('VBD', vbd)).toMatchObject({
      VM: db,
      VDI: vdi,
      userdevice: '1',
      mode: 'RW',
      type: 'Disk',
      empty: false,
      currently_attached: false,
      other_config: { owner: 'test' },
    })
    expect(await lab.x('VM.get_VBDs', db)).toContain(vbd)
    expect(await lab.x('VDI.get_VBDs', vdi)).toEqual([vbd])

    // The appliance uses 0 (disk) and 3 (CD): autodetect fills the gaps in order.
    const appliance = await lab.named('VM', 'appliance-no-tools')
    const devices: string[] = []
    for (const name of ['a', 'b', 'c']) {
      const ref = await lab.x<string>('VBD.create', {
        VM: appliance,
        VDI: await lab.newVdi(name),
        userdevice: 'autodetect',
        type: 'Disk',
        mode: 'RW',
      })
      devices.push(await lab.x<string>('VBD.get_userdevice', ref))
    }
    expect(devices).toEqual(['1', '2', '4'])

    const other = await lab.newVdi('other')
    const before = (await lab.x<string[]>('VBD.get_all')).length
    expect(
      await errorOf(lab.x('VBD.create', { VM: db, VDI: other, userdevice: '0', type: 'Disk', mode: 'RW' })),
    ).toEqual(['DEVICE_ALREADY_EXISTS', '0'])
    expect(
      await errorOf(lab.x('VBD.create', { VM: appliance, VDI: other, userdevice: '3', type: 'Disk', mode: 'RW' })),
    ).toEqual(['DEVICE_ALREADY_EXISTS', '3'])
    expect(await lab.x<string[]>('VBD.get_all')).toHaveLength(before)
  })

  it('checks the VM and VDI refs, and that CD drives are read-only (VBD_CDS_MUST_BE_READONLY)', async () => {
    const lab = await open()
    const db = await lab.named('VM', 'db-1')
    const iso = await lab.named('VDI', 'debian-12-netinst.iso')
    const bogus = 'OpaqueRef:11111111-1111-1111-1111-111111111111'
    expect(
      await errorOf(lab.x('VBD.create', { VM: bogus, VDI: iso, userdevice: '3', type: 'CD', mode: 'RO' })),
    ).toEqual(['HANDLE_INVALID', 'VM', bogus])
    expect(await errorOf(lab.x('VBD.create', { VM: db, VDI: bogus, userdevice: '3', type: 'CD', mode: 'RO' }))).toEqual(
      ['HANDLE_INVALID', 'VDI', bogus],
    )
    expect(await errorOf(lab.x('VBD.create', { VM: db, VDI: iso, userdevice: '3', type: 'CD', mode: 'RW' }))).toEqual([
      'VBD_CDS_MUST_BE_READONLY',
    ])
    // An empty CD drive: no VDI.
    const empty = await lab.x<string>('VBD.create', { VM: db, VDI: NULL, userdevice: '3', type: 'CD', mode: 'RO' })
    expect(await lab.rec('VBD', empty)).toMatchObject({ VDI: NULL, empty: true, type: 'CD' })
  })
})

describe('CD insert and eject', () => {
  it('eject empties the drive, insert fills it; VBD_NOT_EMPTY / VBD_IS_EMPTY otherwise', async () => {
    const lab = await open()
    const appliance = await lab.named('VM', 'appliance-no-tools')
    const iso = await lab.named('VDI', 'debian-12-netinst.iso')
    const cd = await lab.vbdAt(appliance, '3')
    expect(await lab.rec('VBD', cd)).toMatchObject({ type: 'CD', VDI: iso, empty: false, mode: 'RO' })
    expect(await lab.x('VDI.get_VBDs', iso)).toEqual([cd])

    expect(await errorOf(lab.x('VBD.insert', cd, iso))).toEqual(['VBD_NOT_EMPTY', cd])
    expect(await lab.x('VBD.eject', cd)).toBe('')
    expect(await lab.rec('VBD', cd)).toMatchObject({ VDI: NULL, empty: true })
    expect(await lab.x('VDI.get_VBDs', iso)).toEqual([])
    expect(await errorOf(lab.x('VBD.eject', cd))).toEqual(['VBD_IS_EMPTY', cd])

    expect(await lab.x('VBD.insert', cd, iso)).toBe('')
    expect(await lab.rec('VBD', cd)).toMatchObject({ VDI: iso, empty: false })
    expect(await lab.x('VDI.get_VBDs', iso)).toEqual([cd])
  })

  it('works on a halted VM too (XO inserts the install ISO before the first boot)', async () => {
    const lab = await open()
    const db = await lab.named('VM', 'db-1')
    const iso = await lab.named('VDI', 'debian-12-netinst.iso')
    const cd = await lab.x<string>('VBD.create', { VM: db, VDI: NULL, userdevice: '3', type: 'CD', mode: 'RO' })
    await lab.x('VBD.insert', cd, iso)
    expect(await lab.rec('VBD', cd)).toMatchObject({ VDI: iso, empty: false, currently_attached: false })
  })

  it('a disk is not removable media: VBD_NOT_REMOVABLE_MEDIA [vbd] for insert and eject', async () => {
    const lab = await open()
    const web = await lab.named('VM', 'web-1')
    const iso = await lab.named('VDI', 'debian-12-netinst.iso')
    const disk = await lab.vbdAt(web, '0')
    const vdi = await lab.x<string>('VBD.get_VDI', disk)
    expect(await errorOf(lab.x('VBD.eject', disk))).toEqual(['VBD_NOT_REMOVABLE_MEDIA', disk])
    expect(await errorOf(lab.x('VBD.insert', disk, iso))).toEqual(['VBD_NOT_REMOVABLE_MEDIA', disk])
    expect(await lab.rec('VBD', disk)).toMatchObject({ VDI: vdi, empty: false })
  })
})

describe('VBD plug and unplug', () => {
  it('need a running VM: VM_BAD_POWER_STATE [vm, running, halted]', async () => {
    const lab = await open()
    const db = await lab.named('VM', 'db-1')
    const disk = await lab.vbdAt(db, '0')
    expect(await errorOf(lab.x('VBD.plug', disk))).toEqual(['VM_BAD_POWER_STATE', db, 'running', 'halted'])
    expect(await errorOf(lab.x('VBD.unplug', disk))).toEqual(['VM_BAD_POWER_STATE', db, 'running', 'halted'])
    expect(await lab.x('VBD.get_currently_attached', disk)).toBe(false)
  })

  it('plug attaches (DEVICE_ALREADY_ATTACHED the second time), unplug detaches (DEVICE_ALREADY_DETACHED)', async () => {
    const lab = await open()
    const web = await lab.named('VM', 'web-1')
    const vdi = await lab.newVdi('hotplug')
    const vbd = await lab.x<string>('VBD.create', {
      VM: web,
      VDI: vdi,
      userdevice: 'autodetect',
      type: 'Disk',
      mode: 'RW',
      unpluggable: true,
    })
    expect(await lab.rec('VBD', vbd)).toMatchObject({ userdevice: '1', currently_attached: false })

    expect(await lab.x('VBD.plug', vbd)).toBe('')
    expect(await lab.rec('VBD', vbd)).toMatchObject({ currently_attached: true, device: 'xvdb' })
    expect(await errorOf(lab.x('VBD.plug', vbd))).toEqual(['DEVICE_ALREADY_ATTACHED', vbd])

    expect(await lab.x('VBD.unplug', vbd)).toBe('')
    expect(await lab.x('VBD.get_currently_attached', vbd)).toBe(false)
    expect(await errorOf(lab.x('VBD.unplug', vbd))).toEqual(['DEVICE_ALREADY_DETACHED', vbd])
  })
})

describe('VDI.create and VDI.destroy', () => {
  it('creates a VDI on an SR with its fields; destroy refuses an attached VDI (VDI_IN_USE [vdi, destroy])', async () => {
    const lab = await open()
    const local = await lab.named('SR', 'Local storage')
    const web = await lab.named('VM', 'web-1')
    const vdi = await lab.x<string>('VDI.create', {
      name_label: 'Automatic Config Drive',
      name_description: '',
      SR: local,
      virtual_size: 2 * 1024 * 1024,
      type: 'system',
      sharable: false,
      read_only: false,
      other_config: { 'config-drive': 'True' },
    })
    const record = await lab.rec('VDI', vdi)
    expect(record).toMatchObject({
      name_label: 'Automatic Config Drive',
      SR: local,
      virtual_size: 2 * 1024 * 1024,
      type: 'system',
      read_only: false,
      other_config: { 'config-drive': 'True' },
      VBDs: [],
    })
    expect(record.location).toBe(record.uuid)
    expect(await lab.x('SR.get_VDIs', local)).toContain(vdi)
    const bogusSr = 'OpaqueRef:22222222-2222-2222-2222-222222222222'
    expect(await errorOf(lab.x('VDI.create', { name_label: 'x', SR: bogusSr, virtual_size: 1 }))).toEqual([
      'HANDLE_INVALID',
      'SR',
      bogusSr,
    ])

    const vbd = await lab.x<string>('VBD.create', { VM: web, VDI: vdi, userdevice: '1', type: 'Disk', mode: 'RO' })
    await lab.x('VBD.plug', vbd)
    expect(await errorOf(lab.x('VDI.destroy', vdi))).toEqual(['VDI_IN_USE', vdi, 'destroy'])
    expect(await lab.x('VDI.get_VBDs', vdi)).toEqual([vbd])

    // Detached, it can go; xapi destroys the VBDs that still point at it.
    await lab.x('VBD.unplug', vbd)
    expect(await lab.x('VDI.destroy', vdi)).toBe('')
    expect(await errorOf(lab.rec('VDI', vdi))).toEqual(['HANDLE_INVALID', 'VDI', vdi])
    expect(await errorOf(lab.rec('VBD', vbd))).toEqual(['HANDLE_INVALID', 'VBD', vbd])
    expect(await lab.x('VM.get_VBDs', web)).not.toContain(vbd)
    expect(await lab.x('SR.get_VDIs', local)).not.toContain(vdi)
  })
})

describe('VIF.create', () => {
  it('generates a locally administered unicast MAC; a used device is DEVICE_ALREADY_EXISTS [device]', async () => {
    const lab = await open()
    const db = await lab.named('VM', 'db-1')
    const storage = await lab.named('network', 'Storage network')
    const vif = await lab.x<string>('VIF.create', {
      VM: db,
      network: storage,
      device: '1',
      MAC: '',
      MTU: 1500,
      other_config: {},
      qos_algorithm_type: '',
      qos_algorithm_params: {},
    })
    const record = await lab.rec('VIF', vif)
    expect(record).toMatchObject({ VM: db, network: storage, device: '1', MTU: 1500, currently_attached: false })
    const mac = String(record.MAC)
    expect(mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/)
    // Locally administered (bit 1 set), unicast (bit 0 clear).
    expect(Number.parseInt(mac.slice(0, 2), 16) & 0b11).toBe(0b10)
    expect(await lab.x('VM.get_VIFs', db)).toContain(vif)
    expect(await lab.x('network.get_VIFs', storage)).toEqual([vif])

    const second = await lab.x<string>('VIF.create', { VM: db, network: storage, device: '2', MTU: 1500 })
    expect(await lab.x('VIF.get_MAC', second)).not.toBe(mac)
    const chosen = await lab.x<string>('VIF.create', {
      VM: db,
      network: storage,
      device: '3',
      MAC: '52:54:00:12:34:56',
      MTU: 9000,
    })
    expect(await lab.rec('VIF', chosen)).toMatchObject({ MAC: '52:54:00:12:34:56', MTU: 9000 })

    expect(await errorOf(lab.x('VIF.create', { VM: db, network: storage, device: '0', MTU: 1500 }))).toEqual([
      'DEVICE_ALREADY_EXISTS',
      '0',
    ])
    expect(await errorOf(lab.x('VIF.create', { VM: db, network: storage, device: '1', MTU: 1500 }))).toEqual([
      'DEVICE_ALREADY_EXISTS',
      '1',
    ])
    expect(await lab.x<string[]>('VM.get_VIFs', db)).toHaveLength(4)
  })

  it('a plugged VIF goes with its VM start; VIF.destroy of a detached VIF removes it', async () => {
    const lab = await open()
    const db = await lab.named('VM', 'db-1')
    const network = await lab.named('network', 'Storage network')
    const vif = await lab.x<string>('VIF.create', { VM: db, network, device: '1', MTU: 1500 })
    await lab.x('VM.start', db, false, false)
    expect(await lab.x('VIF.get_currently_attached', vif)).toBe(true)
    expect(await errorOf(lab.x('VIF.destroy', vif))).toEqual(['OPERATION_NOT_ALLOWED', 'VIF is currently attached'])
    await lab.x('VM.hard_shutdown', db)
    expect(await lab.x('VIF.destroy', vif)).toBe('')
    expect(await lab.x('VM.get_VIFs', db)).not.toContain(vif)
    expect(await lab.x('network.get_VIFs', network)).toEqual([])
  })
})

describe('secrets and messages', () => {
  it('secret.create stores a value that secret.get_value reads back', async () => {
    const lab = await open()
    const secret = await lab.x<string>('secret.create', { value: 's3cret', other_config: { purpose: 'test' } })
    expect(secret).toMatch(/^OpaqueRef:/)
    expect(await lab.x('secret.get_value', secret)).toBe('s3cret')
    const uuid = await lab.x<string>('secret.get_uuid', secret)
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/)
    expect(await lab.x('secret.get_by_uuid', uuid)).toBe(secret)
    expect(await lab.rec('secret', secret)).toEqual({ uuid, value: 's3cret', other_config: { purpose: 'test' } })
    await lab.x('secret.set_value', secret, 'rotated')
    expect(await lab.x('secret.get_value', secret)).toBe('rotated')
  })

  it('message.create(name, priority, cls, obj_uuid, body) makes a record listed by message.get_all_records', async () => {
    const lab = await open()
    const web = await lab.named('VM', 'web-1')
    const uuid = await lab.x<string>('VM.get_uuid', web)
    const before = Object.keys(await lab.x<Rec>('message.get_all_records'))
    const body = 'Docker container monitoring failed <after 120 s> & retried'
    const ref = await lab.x<string>('message.create', 'XSCONTAINER_MONITOR_FAILED', 2, 'VM', uuid, body)
    expect(ref).toMatch(/^OpaqueRef:/)
    const all = await lab.x<Record<string, Rec>>('message.get_all_records')
    expect(Object.keys(all)).toEqual([...before, ref])
    const message = all[ref] ?? {}
    expect(message).toMatchObject({
      name: 'XSCONTAINER_MONITOR_FAILED',
      priority: 2,
      cls: 'VM',
      obj_uuid: uuid,
      body,
    })
    expect(message.uuid).toMatch(/^[0-9a-f-]{36}$/)
    expect(message.timestamp).toMatch(/^\d{8}T\d\d:\d\d:\d\dZ$/)
    expect(await lab.x('message.get_record', ref)).toEqual(message)
  })

  it('message.create about an object that does not exist answers UUID_INVALID [cls, obj_uuid]', async () => {
    const lab = await open()
    const web = await lab.named('VM', 'web-1')
    const vmUuid = await lab.x<string>('VM.get_uuid', web)
    // xapi_message.ml create: the uuid must name an object of the given class.
    expect(await errorOf(lab.x('message.create', 'X', 1, 'VM', 'not-a-uuid', 'b'))).toEqual([
      'UUID_INVALID',
      'VM',
      'not-a-uuid',
    ])
    expect(await errorOf(lab.x('message.create', 'X', 1, 'Host', vmUuid, 'b'))).toEqual([
      'UUID_INVALID',
      'Host',
      vmUuid,
    ])
  })
})
