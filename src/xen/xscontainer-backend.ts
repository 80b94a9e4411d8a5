/**
 * The Docker backend over XenServer's xscontainer plugin (legacy pools): every action is
 * `host.call_plugin(host, 'xscontainer', fn, {vmuuid, container})` on the VM's resident host (the
 * master when it is halted), with the 10-character container key. It refreshes nothing itself: the
 * monitor's write to docker_ps arrives as a `mod` event and the inventory picks it up.
 */
import { UserError } from '../core/errors.js'
import type { Container, ContainerAction, ContainerProcessList, DockerBackend, VmSummary } from '../core/ports.js'
import { callXapi } from './call-xapi.js'
import { parseDockerTop, parseXsRecord } from './docker-xml.js'
import type { PoolConnection } from './pool-connection.js'
import { translateXenError } from './xapi-errors.js'

/** The plugin refuses anything else with "Invalid container" (xscontainer `_verify_or_throw_container`). */
const CONTAINER_ID = /^[a-z0-9_.-]+$/

export class XscontainerBackend implements DockerBackend {
  readonly kind = 'xscontainer' as const
  readonly #pools: ReadonlyMap<string, PoolConnection>

  constructor(connections: readonly PoolConnection[]) {
    this.#pools = new Map(connections.map((c) => [c.name, c]))
  }

  /** From the inventory: xscontainer's monitor keeps docker_ps current, so listing costs no call. */
  async list(vm: VmSummary): Promise<readonly Container[]> {
    if (vm.docker.unreadable) {
      throw new UserError(
        'docker.unreadable',
        `the container data xscontainer stored for ${vm.name} is unreadable (${vm.docker.unreadable})`,
      )
    }
    if (!vm.docker.containers) {
      throw new UserError(
        'docker.no_data',
        vm.power !== 'running'
          ? `${vm.name} is ${vm.power}: xscontainer reports containers only for running VMs`
          : `xscontainer has not reported containers for ${vm.name} yet (${vm.docker.backend.reason})`,
      )
    }
    return vm.docker.containers
  }

  async act(vm: VmSummary, container: string, action: ContainerAction): Promise<void> {
    await this.#call(vm, action, { container }, container)
  }

  async inspect(vm: VmSummary, container: string): Promise<Readonly<Record<string, unknown>>> {
    const xml = await this.#call(vm, 'get_inspect', { object: container }, container)
    const parsed = parseXsRecord(xml, 'docker_inspect')
    if (!parsed.ok) throw new Error(`unparsable get_inspect answer for ${vm.name}: ${parsed.reason}`)
    return parsed.value
  }

  async top(vm: VmSummary, container: string): Promise<ContainerProcessList> {
    const xml = await this.#call(vm, 'get_top', { object: container }, container)
    const parsed = parseDockerTop(xml)
    if (!parsed.ok) throw new Error(`unparsable get_top answer for ${vm.name}: ${parsed.reason}`)
    return parsed.value
  }

  async logs(vm: VmSummary, _container: string, _options: { readonly tail: number }): Promise<readonly string[]> {
    throw notOverXscontainer(vm, 'logs')
  }

  async stats(vm: VmSummary, _container: string): Promise<Readonly<Record<string, unknown>>> {
    throw notOverXscontainer(vm, 'stats')
  }

  /** Runs one plugin function; returns its payload without the `True` prefix. */
  async #call(vm: VmSummary, fn: string, args: Record<string, string>, container: string): Promise<string> {
    if (!CONTAINER_ID.test(container)) {
      throw new UserError(
        'docker.invalid_container',
        `"${container}" is not a container id xscontainer accepts (lower-case letters, digits, _ . - only); use the container's short id`,
      )
    }
    if (vm.power !== 'running') {
      // Without this the plugin answers "No valid IP found", which blames the guest tools.
      throw new UserError(
        'vm.not_running',
        `${vm.name} is ${vm.power}: xscontainer reaches Docker only in a running VM; start the VM first`,
      )
    }
    const connection = this.#pools.get(vm.pool)
    const xapi = connection?.client
    if (!connection) throw new UserError('xen.pool_unavailable', `there is no pool named ${vm.pool}`)
    if (!xapi) {
      const { reason } = connection.status
      throw new UserError(
        'xen.pool_unavailable',
        `pool ${vm.pool} is not connected right now${reason === undefined ? '' : ` (${reason})`}`,
      )
    }
    const host = vm.host ? xapi.getObjectByUuid(vm.host.uuid, undefined) : undefined
    const hostRef = host?.$ref ?? (xapi.pool.master as string)
    const hostName = (host?.name_label ?? xapi.getObjectByRef(hostRef, undefined)?.name_label) as string | undefined
    try {
      const result = await callXapi<string>(xapi, 'host.call_plugin', hostRef, 'xscontainer', fn, {
        vmuuid: vm.uuid,
        ...args,
      })
      return result.replace(/^True/, '')
    } catch (error) {
      throw translateXenError(error, {
        pool: vm.pool,
        vm: vm.name,
        container: displayName(vm, container),
        host: hostName,
        action: fn,
      })
    }
  }
}

/** Sentences name a container as people know it (its name), not by the key the plugin needed. */
function displayName(vm: VmSummary, key: string): string {
  const known = vm.docker.containers?.find((c) => c.key === key || c.id === key)
  return known?.name || key
}

function notOverXscontainer(vm: VmSummary, what: string): UserError {
  return new UserError(
    'docker.unsupported',
    `${what} are not available through xscontainer (${vm.name} is served by it); the SSH backend provides them`,
  )
}
