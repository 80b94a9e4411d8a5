/**
 * Creating VMs and their disks the way xapi leaves them, shared by the scenario builder and by
 * VM.clone / VM.copy / VM.provision.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { NULL_REF, type XapiRecord } from '../object-store.js'
import type { SimPool } from '../sim-pool.js'

/** Fields that belong to one VM instance and never carry over to a clone. */
const INSTANCE_FIELDS = [
  'uuid',
  'VBDs',
  'VIFs',
  'resident_on',
  'current_operations',
  'guest_metrics',
  'metrics',
  'snapshots',
  'consoles',
  'crash_dumps',
  'VTPMs',
  'VUSBs',
  'attached_PCIs',
  'children',
]

export function createVm(pool: SimPool, init: XapiRecord): string {
  const metrics = pool.store.create('VM_metrics', {
    memory_actual: init.memory_static_max ?? 0,
    VCPUs_number: init.VCPUs_at_startup ?? 1,
  })
  return pool.store.create('VM', { domid: -1, ...init, metrics })
}

export function createVdi(pool: SimPool, init: XapiRecord): string {
  const ref = pool.store.create('VDI', {
    type: 'user',
    managed: true,
    location: '',
    ...init,
  })
  // xapi's file-based SRs use the VDI uuid as its location.
  const record = pool.store.get('VDI', ref)
  if (!record.location) pool.store.update('VDI', ref, { location: record.uuid })
  return ref
}

export function randomMac(): string {
  const bytes = randomBytes(5)
  // Locally administered, unicast, as xapi's generated MACs are.
  return ['02', ...[...bytes].map((b) => b.toString(16).padStart(2, '0'))].join(':')
}

/**
 * VM.clone and VM.copy: the same configuration under a new name, new disks with the same contents
 * (on `targetSr` for a copy, on the original SR for a clone), new VIFs with fresh MACs.
 */
export function duplicateVm(pool: SimPool, sourceRef: string, name: string, targetSr: string | undefined): string {
  const { store } = pool
  const source = store.snapshot('VM', sourceRef)
  for (const field of INSTANCE_FIELDS) delete source[field]
  // xapi_vm_clone.ml `copy_vm_record`: a fresh mac_seed, no default_template marker, and a clone of a
  // template remembers the template's name. is_a_template carries over (VM.provision clears it).
  const { default_template: _marker, ...otherConfig } = source.other_config as Record<string, string>
  otherConfig.mac_seed = randomUUID()
  if (source.is_a_template === true && otherConfig.base_template_name === undefined) {
    otherConfig.base_template_name = String(source.name_label)
  }
  const vmRef = createVm(pool, {
    ...source,
    other_config: otherConfig,
    name_label: name,
    is_default_template: false,
    power_state: 'Halted',
    domid: -1,
    allowed_operations: [],
  })
  for (const vbdRef of store.get('VM', sourceRef).VBDs as string[]) {
    const vbd = store.snapshot('VBD', vbdRef)
    let vdi = NULL_REF
    if (store.has('VDI', vbd.VDI)) {
      const original = store.snapshot('VDI', vbd.VDI as string)
      // CD images (ISOs) and sharable disks are referenced, not copied.
      if (vbd.type === 'CD' || original.sharable === true) vdi = vbd.VDI as string
      else {
        vdi = createVdi(pool, {
          name_label: original.name_label,
          name_description: original.name_description,
          SR: targetSr && targetSr !== NULL_REF ? targetSr : original.SR,
          virtual_size: original.virtual_size,
          type: original.type,
          other_config: original.other_config,
        })
        const data = pool.vdiData.get(vbd.VDI as string)
        if (data) pool.vdiData.set(vdi, Buffer.from(data))
      }
    }
    store.create('VBD', {
      VM: vmRef,
      VDI: vdi,
      userdevice: vbd.userdevice,
      bootable: vbd.bootable,
      mode: vbd.mode,
      type: vbd.type,
      empty: vdi === NULL_REF,
      other_config: vbd.other_config,
    })
  }
  for (const vifRef of store.get('VM', sourceRef).VIFs as string[]) {
    const vif = store.get('VIF', vifRef)
    store.create('VIF', { VM: vmRef, network: vif.network, device: vif.device, MAC: randomMac(), MTU: vif.MTU })
  }
  const guest = pool.guests.get(sourceRef)
  if (guest) pool.guests.set(vmRef, { ...guest, ips: [...guest.ips] })
  return vmRef
}
