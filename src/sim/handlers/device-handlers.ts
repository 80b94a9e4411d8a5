/**
 * VBDs, VDIs, VIFs, secrets and messages: the objects a VM build touches (a config drive is a VDI
 * plus a read-only VBD; a CoreOS install is an ISO in a CD VBD), with xapi's device rules and errors.
 */
import { NULL_REF, type XapiRecord } from '../object-store.js'
import type { SimPool } from '../sim-pool.js'
import { fault } from '../xapi-fault.js'
import { toXapiDate } from '../xapi-time.js'
import { createVdi, randomMac } from './vm-factory.js'

function pick(record: XapiRecord, fields: ReadonlyMap<string, unknown> | undefined): XapiRecord {
  return Object.fromEntries(Object.entries(record).filter(([k]) => fields?.has(k)))
}

function usedDevices(pool: SimPool, vm: string, cls: 'VBD' | 'VIF'): Set<string> {
  const field = cls === 'VBD' ? 'userdevice' : 'device'
  return new Set((pool.store.get('VM', vm)[`${cls}s`] as string[]).map((r) => String(pool.store.get(cls, r)[field])))
}

/** Plug and unplug need a running VM (xapi_vbd_helpers.ml `valid_operations`). */
function requireRunning(pool: SimPool, vm: string): void {
  const state = String(pool.store.get('VM', vm).power_state)
  if (state !== 'Running') throw fault('VM_BAD_POWER_STATE', vm, 'running', state.toLowerCase())
}

function requireCd(pool: SimPool, vbd: string): Readonly<XapiRecord> {
  const record = pool.store.get('VBD', vbd)
  if (record.type !== 'CD') throw fault('VBD_NOT_REMOVABLE_MEDIA', vbd)
  return record
}

export function registerDeviceHandlers(pool: SimPool): void {
  const { store } = pool
  const h = pool.handlers

  h.set('VBD.create', (_ctx, args: XapiRecord) => {
    const vm = args.VM as string
    store.get('VM', vm)
    const vdi = (args.VDI as string | undefined) ?? NULL_REF
    if (vdi !== NULL_REF) store.get('VDI', vdi)
    // xapi_vbd.ml `create`: CD drives are read-only.
    if (args.type === 'CD' && args.mode !== 'RO') throw fault('VBD_CDS_MUST_BE_READONLY')
    const used = usedDevices(pool, vm, 'VBD')
    let userdevice = String(args.userdevice ?? 'autodetect')
    if (userdevice === 'autodetect') {
      userdevice = Array.from({ length: 16 }, (_, i) => String(i)).find((d) => !used.has(d)) ?? ''
      if (!userdevice) throw fault('DEVICE_ALREADY_EXISTS', 'autodetect')
    } else if (used.has(userdevice)) {
      throw fault('DEVICE_ALREADY_EXISTS', userdevice)
    }
    return store.create('VBD', {
      ...pick(args, pool.model.fieldTypes('VBD')),
      VDI: vdi,
      userdevice,
      empty: vdi === NULL_REF,
      currently_attached: false,
      device: '',
    })
  })
  h.set('VBD.insert', (_ctx, vbd: string, vdi: string) => {
    const record = requireCd(pool, vbd)
    store.get('VDI', vdi)
    if (!record.empty) throw fault('VBD_NOT_EMPTY', vbd)
    store.update('VBD', vbd, { VDI: vdi, empty: false })
    return ''
  })
  h.set('VBD.eject', (_ctx, vbd: string) => {
    const record = requireCd(pool, vbd)
    if (record.empty) throw fault('VBD_IS_EMPTY', vbd)
    store.update('VBD', vbd, { VDI: NULL_REF, empty: true })
    return ''
  })
  h.set('VBD.plug', (_ctx, vbd: string) => {
    const record = store.get('VBD', vbd)
    requireRunning(pool, record.VM as string)
    if (record.currently_attached) throw fault('DEVICE_ALREADY_ATTACHED', vbd)
    const letter = String.fromCharCode(97 + Number(record.userdevice))
    store.update('VBD', vbd, { currently_attached: true, device: `xvd${letter}` })
    return ''
  })
  h.set('VBD.unplug', (_ctx, vbd: string) => {
    const record = store.get('VBD', vbd)
    // xapi_vbd_helpers.ml checks the VM's power state before the attachment, as for plug.
    requireRunning(pool, record.VM as string)
    if (!record.currently_attached) throw fault('DEVICE_ALREADY_DETACHED', vbd)
    store.update('VBD', vbd, { currently_attached: false })
    return ''
  })
  h.set('VBD.destroy', (_ctx, vbd: string) => {
    if (store.get('VBD', vbd).currently_attached) throw fault('OPERATION_NOT_ALLOWED', 'VBD is currently attached')
    store.destroy('VBD', vbd)
    return ''
  })

  h.set('VDI.create', (_ctx, args: XapiRecord) => {
    store.get('SR', args.SR)
    return createVdi(pool, pick(args, pool.model.fieldTypes('VDI')))
  })
  h.set('VDI.destroy', (_ctx, vdi: string) => {
    const vbds = store.get('VDI', vdi).VBDs as string[]
    if (vbds.some((vbd) => store.get('VBD', vbd).currently_attached)) throw fault('VDI_IN_USE', vdi, 'destroy')
    for (const vbd of vbds) store.destroy('VBD', vbd)
    store.destroy('VDI', vdi)
    pool.vdiData.delete(vdi)
    return ''
  })

  h.set('VIF.create', (_ctx, args: XapiRecord) => {
    const vm = args.VM as string
    store.get('VM', vm)
    store.get('network', args.network)
    const device = String(args.device ?? '')
    if (usedDevices(pool, vm, 'VIF').has(device)) throw fault('DEVICE_ALREADY_EXISTS', device)
    return store.create('VIF', {
      ...pick(args, pool.model.fieldTypes('VIF')),
      device,
      MAC: args.MAC ? String(args.MAC) : randomMac(),
      currently_attached: false,
    })
  })
  h.set('VIF.destroy', (_ctx, vif: string) => {
    if (store.get('VIF', vif).currently_attached) throw fault('OPERATION_NOT_ALLOWED', 'VIF is currently attached')
    store.destroy('VIF', vif)
    return ''
  })

  h.set('secret.create', (_ctx, args: XapiRecord) =>
    store.create('secret', pick(args, pool.model.fieldTypes('secret'))),
  )

  h.set('message.create', (_ctx, name: string, priority: number, cls: string, objUuid: string, body: string) => {
    // xapi_message.ml `create` answers UUID_INVALID [cls, obj_uuid] when no object of that class (the
    // enum spells classes `VM`, `Host`, `Pool`…) has the uuid.
    const target = pool.model.findClass(cls)
    if (!target || store.find(target.name, (r) => r.uuid === objUuid).length === 0) {
      throw fault('UUID_INVALID', cls, objUuid)
    }
    return store.create('message', {
      name,
      priority,
      cls,
      obj_uuid: objUuid,
      body,
      timestamp: toXapiDate(pool.clock.now()),
    })
  })
}
