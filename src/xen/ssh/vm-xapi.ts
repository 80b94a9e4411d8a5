/**
 * The XAPI side of making a VM Docker-managed: the VM's pool client and refs, the xscontainer plugin on
 * its host (probe, register, deregister), the marks the VM carries (`xscontainer-username`,
 * `xscontainer-mode`, the `docker` tag), and the pool's xscontainer key pair — read from its secrets,
 * or created the way the pack creates it on first use (`api_helper.get_idrsa_secret`, xscontainer.md
 * §2.2) so the pack then finds and uses the same pair.
 */
import { generateKeyPair } from 'node:crypto'
import { promisify } from 'node:util'
import ssh2 from 'ssh2'
import type { Xapi } from 'xen-api'
import { UserError } from '../../core/errors.js'
import type { VmSummary } from '../../core/ports.js'
import { DOCKER_TAG } from '../backend-choice.js'
import { callXapi } from '../call-xapi.js'
import { xscontainerSupported } from '../doctor.js'
import type { PoolConnection } from '../pool-connection.js'
import { translateXenError } from '../xapi-errors.js'

const PUBLIC_SECRET = 'xscontainer-public-secret-uuid'
const PRIVATE_SECRET = 'xscontainer-private-secret-uuid'

export interface VmXapi {
  readonly xapi: Xapi
  readonly vmRef: string
  /** Where plugin calls go: the host the VM runs on, the master when it is not running. */
  readonly hostRef: string
  readonly hostName: string | undefined
}

export function vmXapi(connections: readonly PoolConnection[], vm: VmSummary): VmXapi {
  const connection = connections.find((c) => c.name === vm.pool)
  const xapi = connection?.client
  if (!connection || !xapi) {
    throw new UserError('xen.pool_unavailable', `pool ${vm.pool} is not connected right now; try again shortly`)
  }
  const record = xapi.getObjectByUuid(vm.uuid, undefined)
  if (!record) throw new UserError('vm.gone', `${vm.name} is no longer in pool ${vm.pool}`)
  const host = vm.host ? xapi.getObjectByUuid(vm.host.uuid, undefined) : undefined
  const hostRef = host?.$ref ?? String(xapi.pool.master)
  const hostName = (host ?? xapi.getObjectByRef(hostRef, undefined))?.name_label as string | undefined
  return { xapi, vmRef: record.$ref, hostRef, hostName }
}

/** Whether the VM's host (the master for a VM not running) runs a product that had the pack. */
export function hostMayHaveXscontainer(target: VmXapi): boolean {
  const host = target.xapi.getObjectByRef(target.hostRef, undefined)
  const sv = (host?.software_version ?? {}) as Readonly<Record<string, string>>
  return xscontainerSupported({ brand: sv.product_brand ?? '', version: sv.product_version ?? '' })
}

async function plugin(target: VmXapi, vm: VmSummary, fn: string, args: Record<string, string>): Promise<string> {
  try {
    return await callXapi<string>(target.xapi, 'host.call_plugin', target.hostRef, 'xscontainer', fn, args)
  } catch (error) {
    throw translateXenError(error, { pool: vm.pool, vm: vm.name, host: target.hostName, action: fn })
  }
}

/** The plugin answers on the VM's host: a harmless call it refuses for its empty argument is proof too. */
export async function hasXscontainer(target: VmXapi, vm: VmSummary): Promise<boolean> {
  try {
    await callXapi(target.xapi, 'host.call_plugin', target.hostRef, 'xscontainer', 'get_config_drive_default', {
      templateuuid: '',
    })
    return true
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'XENAPI_MISSING_PLUGIN') return false
    if (code === 'XENAPI_PLUGIN_FAILURE') return true
    throw translateXenError(error, { pool: vm.pool, vm: vm.name, host: target.hostName })
  }
}

export const register = (target: VmXapi, vm: VmSummary) => plugin(target, vm, 'register', { vmuuid: vm.uuid })
export const deregister = (target: VmXapi, vm: VmSummary) => plugin(target, vm, 'deregister', { vmuuid: vm.uuid })

/** Sets one other_config key (remove, then add: add_to_other_config refuses an existing key). */
export async function setOtherConfig(target: VmXapi, vm: VmSummary, key: string, value: string): Promise<void> {
  try {
    const current = (target.xapi.getObjectByRef(target.vmRef, undefined)?.other_config ?? {}) as Record<string, string>
    if (current[key] === value) return
    if (key in current) await callXapi(target.xapi, 'VM.remove_from_other_config', target.vmRef, key)
    await callXapi(target.xapi, 'VM.add_to_other_config', target.vmRef, key, value)
  } catch (error) {
    throw translateXenError(error, { pool: vm.pool, vm: vm.name })
  }
}

export async function setDockerTag(target: VmXapi, vm: VmSummary, on: boolean): Promise<void> {
  try {
    await callXapi(target.xapi, on ? 'VM.add_tags' : 'VM.remove_tags', target.vmRef, DOCKER_TAG)
  } catch (error) {
    throw translateXenError(error, { pool: vm.pool, vm: vm.name })
  }
}

/**
 * The pool's xscontainer public key line. When the pack has not made its pair yet, the bot makes it as
 * the pack would — a 4096-bit RSA key, PEM private key and `ssh-rsa …` public line in two secrets named
 * in pool other_config — so that the key installed in the VM is the one the pack will use.
 */
export async function poolPublicKey(xapi: Xapi, pool: string): Promise<string> {
  const read = async (uuid: string | undefined) => {
    if (!uuid) return undefined
    const ref = await callXapi<string>(xapi, 'secret.get_by_uuid', uuid)
    return callXapi<string>(xapi, 'secret.get_value', ref)
  }
  try {
    const otherConfig = (xapi.pool.other_config ?? {}) as Record<string, string>
    const existing = await read(otherConfig[PUBLIC_SECRET])
    if (existing && otherConfig[PRIVATE_SECRET]) return existing.trim()
    const pair = await promisify(generateKeyPair)('rsa', {
      modulusLength: 4096,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    })
    const parsed = ssh2.utils.parseKey(pair.privateKey)
    if (parsed instanceof Error) throw parsed
    const line = `ssh-rsa ${parsed.getPublicSSH().toString('base64')} xscontainer@${pool}`
    const privateRef = await callXapi<string>(xapi, 'secret.create', { value: pair.privateKey })
    const publicRef = await callXapi<string>(xapi, 'secret.create', { value: line })
    const poolRef = xapi.pool.$ref
    for (const [key, ref] of [
      [PRIVATE_SECRET, privateRef],
      [PUBLIC_SECRET, publicRef],
    ] as const) {
      if (key in otherConfig) await callXapi(xapi, 'pool.remove_from_other_config', poolRef, key)
      await callXapi(
        xapi,
        'pool.add_to_other_config',
        poolRef,
        key,
        await callXapi<string>(xapi, 'secret.get_uuid', ref),
      )
    }
    return line
  } catch (error) {
    throw translateXenError(error, { pool })
  }
}
