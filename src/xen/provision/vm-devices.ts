/**
 * The device-level steps of a build, as Xen Orchestra does them (xscontainer.md §4.5): the template's
 * disk spec pointed at the chosen SR, the ISO in a CD drive first in the boot order, one VIF on the
 * chosen network, and the choice of a host that runs the xscontainer pack.
 */
import type { Xapi } from 'xen-api'
import { UserError } from '../../core/errors.js'
import { callXapi } from '../call-xapi.js'
import { runTask } from './run-task.js'

const CD_DEVICE = '3'

type Rec = Readonly<Record<string, unknown>>

/**
 * A host of the pool where the xscontainer plugin answers (the master first), asked with the same
 * harmless call the doctor uses. The pack is installed per host, and an upgrade may have dropped it.
 */
export async function hostWithPack(xapi: Xapi, pool: string): Promise<{ ref: string; name: string }> {
  const master = String(xapi.pool.master)
  const hosts = Object.values(xapi.objects.indexes.type.host ?? {})
    .filter((h) => h.enabled !== false)
    .sort(
      (a, b) =>
        Number(b.$ref === master) - Number(a.$ref === master) ||
        String(a.name_label).localeCompare(String(b.name_label)),
    )
  for (const host of hosts) {
    try {
      await callXapi(xapi, 'host.call_plugin', host.$ref, 'xscontainer', 'get_config_drive_default', {
        templateuuid: '',
      })
      return { ref: host.$ref, name: String(host.name_label) }
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'XENAPI_MISSING_PLUGIN') throw error
    }
  }
  throw new UserError(
    'vm.no_xscontainer_host',
    `no host of pool ${pool} has the xscontainer pack, so nothing would monitor the VM: install the pack (every host needs it), or pick a docker-ready template`,
  )
}

/**
 * The template's disk spec (other_config `disks`, provision XML) pointed at the chosen SR, as `xe
 * vm-install sr-uuid=` does, so VM.provision creates the disks there instead of on the default SR.
 */
export async function diskSpecOnSr(xapi: Xapi, vm: string, srUuid: string): Promise<void> {
  const otherConfig = await callXapi<Record<string, string>>(xapi, 'VM.get_other_config', vm)
  const spec = otherConfig.disks
  if (spec === undefined) return
  const pointed = spec.replace(/\bsr="[^"]*"/g, `sr="${srUuid}"`)
  if (pointed === spec) return
  await callXapi(xapi, 'VM.remove_from_other_config', vm, 'disks')
  await callXapi(xapi, 'VM.add_to_other_config', vm, 'disks', pointed)
}

/** The first device of `preferred` the VM has free, else its first free one. */
export async function freeDevice(xapi: Xapi, vm: string, preferred: readonly string[]): Promise<string> {
  const allowed = await callXapi<string[]>(xapi, 'VM.get_allowed_VBD_devices', vm)
  const device = preferred.find((d) => allowed.includes(d)) ?? allowed.find((d) => d !== '0')
  if (device === undefined) throw new UserError('vm.no_free_device', 'the VM has no free disk slot left')
  return device
}

/** Xen Orchestra's ISO install: the ISO into the CD drive (created when there is none), CD first in boot order. */
export async function insertIso(xapi: Xapi, vm: string, iso: string): Promise<void> {
  const record = await callXapi<Rec>(xapi, 'VM.get_record', vm)
  let cd: string | undefined
  for (const vbd of (record.VBDs ?? []) as string[]) {
    const r = await callXapi<Rec>(xapi, 'VBD.get_record', vbd)
    if (r.type !== 'CD') continue
    cd = vbd
    if (r.empty !== true) await callXapi(xapi, 'VBD.eject', vbd)
    break
  }
  if (cd) await runTask(xapi, 'VBD.insert', [cd, iso])
  else {
    await runTask(xapi, 'VBD.create', [
      {
        VM: vm,
        VDI: iso,
        userdevice: await freeDevice(xapi, vm, [CD_DEVICE]),
        bootable: true,
        mode: 'RO',
        type: 'CD',
        unpluggable: true,
        empty: false,
        other_config: {},
        qos_algorithm_type: '',
        qos_algorithm_params: {},
      },
    ])
  }
  const params = (record.HVM_boot_params ?? {}) as Record<string, string>
  const order = params.order ?? 'cd'
  await callXapi(xapi, 'VM.set_HVM_boot_params', vm, { ...params, order: `d${order.replace('d', '')}` })
}

/** The template's VIFs go (as in Xen Orchestra); one VIF on the chosen network takes their place. */
export async function createVif(xapi: Xapi, vm: string, network: string): Promise<void> {
  for (const vif of await callXapi<string[]>(xapi, 'VM.get_VIFs', vm)) await callXapi(xapi, 'VIF.destroy', vif)
  const devices = await callXapi<string[]>(xapi, 'VM.get_allowed_VIF_devices', vm)
  await runTask(xapi, 'VIF.create', [
    {
      device: devices[0] ?? '0',
      network,
      VM: vm,
      MAC: '',
      MTU: 1500,
      other_config: {},
      qos_algorithm_type: '',
      qos_algorithm_params: {},
      locking_mode: 'network_default',
      ipv4_allowed: [],
      ipv6_allowed: [],
    },
  ])
}
