/**
 * The xscontainer dom0 plugin (`/etc/xapi.d/plugins/xscontainer`) as a simulated XapiPlugin: its
 * function table, argument checks, forwarding to the host that owns the VM / VDI / SR, the exact
 * success strings (`True` prefix, `TrueNone`) and the dev-mode refusal. See xscontainer.md §1.
 */
import { NULL_REF } from '../object-store.js'
import type { CallContext, SimPool, XapiPlugin } from '../sim-pool.js'
import { XapiFault } from '../xapi-fault.js'
import { createConfigDrive, getConfigDriveConfiguration, getConfigDriveDefault } from './config-drive.js'
import {
  getInspect,
  getTop,
  LIFECYCLE,
  type LifecycleFn,
  lifecycle,
  removeOtherConfigKeys,
  setOtherConfigKey,
} from './docker-calls.js'
import { invalidArguments, invalidContainer, nonZeroExit, pluginException, pyListRepr } from './plugin-errors.js'

export const PLUGIN_NAME = 'xscontainer'
const DEV_MODE_REFUSAL = 'ERROR: This call is only enabled when in dev mode.'
const CONTAINER_ID = /^[a-z0-9_.-]+$/
export const DOCKER_KEYS = ['docker_ps', 'docker_info', 'docker_version'] as const

type Args = Record<string, string>
type PluginFunction = (pool: SimPool, args: Args) => string | Promise<string>

const REQUIRED: Record<string, readonly string[]> = {
  start: ['vmuuid', 'container'],
  stop: ['vmuuid', 'container'],
  restart: ['vmuuid', 'container'],
  pause: ['vmuuid', 'container'],
  unpause: ['vmuuid', 'container'],
  get_inspect: ['vmuuid', 'object'],
  get_top: ['vmuuid', 'object'],
  register: ['vmuuid'],
  deregister: ['vmuuid'],
  get_config_drive_default: ['templateuuid'],
  create_config_drive: ['vmuuid', 'sruuid', 'configuration'],
  get_config_drive_configuration: ['vdiuuid'],
  install_vm: ['url', 'sruuid'],
  passthrough: ['vmuuid', 'command'],
}

const vmByUuid = (pool: SimPool, uuid: string | undefined) => pool.store.byUuid('VM', uuid)

function containerArg(fn: string, value: string | undefined): string {
  if (value === undefined || !CONTAINER_ID.test(value)) throw invalidContainer(fn)
  return value
}

const FUNCTIONS: Record<string, PluginFunction> = {
  ...Object.fromEntries(
    LIFECYCLE.map((fn: LifecycleFn) => [
      fn,
      (pool: SimPool, args: Args) => lifecycle(pool, fn, vmByUuid(pool, args.vmuuid), containerArg(fn, args.container)),
    ]),
  ),
  get_inspect: (pool, args) => getInspect(pool, vmByUuid(pool, args.vmuuid), containerArg('get_inspect', args.object)),
  get_top: (pool, args) => getTop(pool, vmByUuid(pool, args.vmuuid), containerArg('get_top', args.object)),
  register: (pool, args) => {
    setOtherConfigKey(pool, vmByUuid(pool, args.vmuuid), 'xscontainer-monitor', 'True')
    return 'TrueNone'
  },
  deregister: (pool, args) => {
    const vm = vmByUuid(pool, args.vmuuid)
    setOtherConfigKey(pool, vm, 'xscontainer-monitor', 'False')
    removeOtherConfigKeys(pool, vm, DOCKER_KEYS)
    return 'TrueNone'
  },
  // The template uuid is required but ignored by the real plugin.
  get_config_drive_default: (pool) => getConfigDriveDefault(pool),
  create_config_drive: (pool, args) =>
    createConfigDrive(
      pool,
      vmByUuid(pool, args.vmuuid),
      pool.store.byUuid('SR', args.sruuid),
      args.configuration ?? '',
    ),
  get_config_drive_configuration: (pool, args) =>
    getConfigDriveConfiguration(pool, pool.store.byUuid('VDI', args.vdiuuid)),
  // Dev-mode functions answer a plain success string without the `True` prefix: not a XAPI error.
  // [UNVERIFIED] the dev-mode check is taken to come before the argument check.
  install_vm: () => DEV_MODE_REFUSAL,
  passthrough: () => DEV_MODE_REFUSAL,
}

/** `redirect_operation_owned_by_other_slave`: the host that should run the call, from vmuuid, vdiuuid or sruuid. */
function ownerHost(pool: SimPool, args: Args): string | undefined {
  const { store } = pool
  // Fixed (§1.4): each criterion applies only while no target is found yet, so a VM that is not
  // resident anywhere (halted) falls through to vdiuuid, then sruuid (`if not redirect_to_host_ref and …`).
  if (args.vmuuid !== undefined) {
    const resident = String(store.get('VM', store.byUuid('VM', args.vmuuid)).resident_on)
    if (resident !== NULL_REF) return resident
  }
  const srHost = (sr: string) => {
    const pbd = (store.get('SR', sr).PBDs as string[]).find((p) => store.get('PBD', p).currently_attached === true)
    return pbd ? String(store.get('PBD', pbd).host) : undefined
  }
  const byVdi =
    args.vdiuuid !== undefined ? srHost(String(store.get('VDI', store.byUuid('VDI', args.vdiuuid)).SR)) : undefined
  if (byVdi !== undefined) return byVdi
  return args.sruuid !== undefined ? srHost(store.byUuid('SR', args.sruuid)) : undefined
}

export function createXscontainerPlugin(): XapiPlugin {
  const plugin: XapiPlugin = async (ctx: CallContext, hostRef: string, fn: string, args: Args) => {
    const { pool } = ctx
    await pool.faults.beforeCall(`${PLUGIN_NAME}.${fn}`)
    let target: string | undefined
    try {
      target = ownerHost(pool, args)
    } catch (error) {
      if (error instanceof XapiFault) throw nonZeroExit(error.errorDescription)
      throw error
    }
    if (target !== undefined && target !== hostRef) {
      // Fixed (§1.4): the forwarded host.call_plugin raises XenAPI.Failure for *any* failure there
      // (missing plugin, the remote plugin's own failure, an unknown fn), and the plugin reports it
      // as XENAPI_PLUGIN_FAILURE [fn, 'Failure', str(e)], str(e) being the nested failure list.
      const remote = pool.plugins.get(target)?.get(PLUGIN_NAME)
      try {
        if (!remote) throw new XapiFault('XENAPI_MISSING_PLUGIN', [PLUGIN_NAME])
        return await remote(ctx, target, fn, args)
      } catch (error) {
        if (error instanceof XapiFault) throw pluginException(fn, 'Failure', pyListRepr(error.errorDescription))
        throw error
      }
    }
    // XenAPIPlugin.dispatch answers an unknown function itself, before any of the plugin's functions
    // runs — but after the module-level forwarding above (fixed, §1.4: "Before dispatching…").
    const run = FUNCTIONS[fn]
    if (!run) throw new XapiFault('UNKNOWN_XENAPI_PLUGIN_FUNCTION', [fn])
    const devMode = fn === 'install_vm' || fn === 'passthrough'
    if (!devMode && (REQUIRED[fn] ?? []).some((name) => args[name] === undefined)) throw invalidArguments(fn)
    return run(pool, args)
  }
  return plugin
}
