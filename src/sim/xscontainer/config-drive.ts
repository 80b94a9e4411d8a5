/**
 * The plugin's config-drive functions (xscontainer.md §4.3): `get_config_drive_default`,
 * `create_config_drive` and `get_config_drive_configuration`.
 *
 * The real plugin builds an ISO9660 image with mkisofs (label `config-2`) holding
 * `openstack/latest/user_data` (expanded), `openstack/latest/user_data.template` (raw) and the guest
 * agent. There is no maintained pure-JS ISO9660 writer, so the simulator stores the drive's files as
 * a small JSON document in the VDI's raw contents; it is written and read back through the same
 * import/export path, so a destroyed or overwritten VDI behaves as on a real pool.
 */
import { NULL_REF } from '../object-store.js'
import type { SimPool } from '../sim-pool.js'
import { XapiFault } from '../xapi-fault.js'
import {
  CLOUD_CONFIG_TEMPLATE,
  CLOUD_CONFIG_TEMPLATE_PATH,
  customizeUserData,
  filterHinExists,
  hasContainerKeyEntry,
} from './cloud-config-template.js'
import { removeOtherConfigKeys, setOtherConfigKey } from './docker-calls.js'
import { pluginException } from './plugin-errors.js'
import { getPoolKeyPair } from './pool-keys.js'

const TWO_MIB = 2 * 1024 * 1024
export const CONFIG_DRIVE_NAME = 'Automatic Config Drive'
const DOCKER_KEYS = ['docker_ps', 'docker_info', 'docker_version']

export interface ConfigDriveImage {
  readonly label: 'config-2'
  readonly files: Readonly<Record<string, string>>
}

function useHostInternalNetwork(pool: SimPool): boolean {
  const value = (pool.store.get('pool', pool.poolRef).other_config as Record<string, string>)[
    'xscontainer-use-hostinternalnetwork'
  ]
  return /^(1|yes|true|on)$/i.test(value ?? '')
}

function himnNetwork(pool: SimPool): string | undefined {
  return pool.store.find('network', (n) => n.bridge === 'xenapi')[0]
}

export function getConfigDriveDefault(pool: SimPool): string {
  const text = filterHinExists(CLOUD_CONFIG_TEMPLATE, useHostInternalNetwork(pool))
  return `True${text}\n\n# Template loaded from ${CLOUD_CONFIG_TEMPLATE_PATH}`
}

/** Creates a VBD at the first free userdevice from `first`, retrying on DEVICE_ALREADY_EXISTS up to 20 times. */
async function createWithRetry(
  pool: SimPool,
  method: string,
  record: Record<string, unknown>,
  field: string,
  first: number,
) {
  for (let i = 0; i < 20; i++) {
    try {
      const { value } = await pool.call(method, [pool.internalSession(), { ...record, [field]: String(first + i) }])
      return String(value)
    } catch (error) {
      if (!(error instanceof XapiFault && error.code === 'DEVICE_ALREADY_EXISTS')) throw error
    }
  }
  throw new XapiFault('DEVICE_ALREADY_EXISTS', [String(first + 19)])
}

export async function createConfigDrive(pool: SimPool, vmRef: string, srRef: string, configuration: string) {
  const { store } = pool
  const vm = store.snapshot('VM', vmRef)
  // 1. prepare_vm_for_config_drive: the HIMN path, when the pool asks for it.
  let hinDevice: string | undefined
  const himn = useHostInternalNetwork(pool) ? himnNetwork(pool) : undefined
  if (himn) {
    store.update('network', himn, {
      other_config: { ...(store.get('network', himn).other_config as object), ip_disable_gw: 'true' },
    })
    const existing = (vm.VIFs as string[]).find((vif) => store.get('VIF', vif).network === himn)
    hinDevice = existing
      ? String(store.get('VIF', existing).device)
      : String(
          store.get(
            'VIF',
            await createWithRetry(pool, 'VIF.create', { VM: vmRef, network: himn, MTU: 1500 }, 'device', 0),
          ).device,
        )
  }
  // 2. the drive's contents; %BR% is the xe CLI's newline workaround.
  const raw = configuration.replace(/%BR%/g, '\r\n')
  const userData = customizeUserData(raw, {
    vmName: String(vm.name_label),
    publicKey: getPoolKeyPair(pool).publicKey,
    hinDevice,
  })
  const image: ConfigDriveImage = {
    label: 'config-2',
    files: { 'openstack/latest/user_data': userData, 'openstack/latest/user_data.template': raw },
  }
  const bytes = Buffer.from(JSON.stringify(image))
  // 3. import_disk: the size is padded to the next 2 MiB multiple, and an aligned size gains 2 MiB more.
  const vdi = store.create('VDI', {
    name_label: CONFIG_DRIVE_NAME,
    SR: srRef,
    virtual_size: (Math.floor(bytes.length / TWO_MIB) + 1) * TWO_MIB,
    type: 'system',
    sharable: false,
    read_only: false,
    managed: true,
    other_config: { 'config-drive': 'True' },
  })
  store.update('VDI', vdi, { location: store.get('VDI', vdi).uuid })
  pool.vdiData.set(vdi, bytes)
  // 4. remove_config_drive, over the VM record read before the new VDI existed.
  for (const vbd of vm.VBDs as string[]) {
    if (!store.has('VBD', vbd)) continue
    const oldVdi = String(store.get('VBD', vbd).VDI)
    const marked =
      (store.get('VBD', vbd).other_config as Record<string, string>)['config-drive'] !== undefined ||
      (store.has('VDI', oldVdi) &&
        (store.get('VDI', oldVdi).other_config as Record<string, string>)['config-drive'] !== undefined)
    if (!marked) continue
    if (store.get('VBD', vbd).currently_attached) await pool.call('VBD.unplug', [pool.internalSession(), vbd])
    await pool.call('VBD.destroy', [pool.internalSession(), vbd])
    if (oldVdi !== NULL_REF && store.has('VDI', oldVdi))
      await pool.call('VDI.destroy', [pool.internalSession(), oldVdi])
  }
  // 5. a read-only, non-bootable disk at userdevice 1 (or the next free one), plugged if the VM runs.
  const vbd = await createWithRetry(
    pool,
    'VBD.create',
    {
      VDI: vdi,
      VM: vmRef,
      type: 'Disk',
      mode: 'RO',
      bootable: false,
      empty: false,
      other_config: { 'config-drive': 'True' },
    },
    'userdevice',
    1,
  )
  if (store.get('VM', vmRef).power_state === 'Running') await pool.call('VBD.plug', [pool.internalSession(), vbd])
  // 6. mark_monitorable_vm: a drive that installs the pool key makes the VM a candidate.
  if (hasContainerKeyEntry(raw) && !('xscontainer-monitor' in (store.get('VM', vmRef).other_config as object))) {
    setOtherConfigKey(pool, vmRef, 'xscontainer-monitor', 'False')
    removeOtherConfigKeys(pool, vmRef, DOCKER_KEYS)
  }
  return `True${store.get('VDI', vdi).uuid}`
}

export function readConfigDrive(pool: SimPool, vdiRef: string): ConfigDriveImage | undefined {
  try {
    const image = JSON.parse((pool.vdiData.get(vdiRef) ?? Buffer.alloc(0)).toString('utf8')) as ConfigDriveImage
    return image.label === 'config-2' ? image : undefined
  } catch {
    return undefined
  }
}

export function getConfigDriveConfiguration(pool: SimPool, vdiRef: string): string {
  const template = readConfigDrive(pool, vdiRef)?.files['openstack/latest/user_data.template']
  if (template === undefined) {
    // [UNVERIFIED] exact text: loop-mounting a VDI that holds no iso9660 filesystem fails in `mount`.
    throw pluginException(
      'get_config_drive_configuration',
      'CalledProcessError',
      "Command 'mount' returned non-zero exit status 32",
    )
  }
  return `True${template}`
}
