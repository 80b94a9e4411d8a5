/**
 * The Provisioning port over the pool connections: catalogs from each client's cache, the default
 * cloud-config (the plugin's on legacy pools, the project's elsewhere), the checks, the build and the
 * clean-up. See the modules of this folder for each part.
 */
import { UserError } from '../../core/errors.js'
import type { Inventory } from '../../core/ports.js'
import type {
  BuildContext,
  BuiltVm,
  Leftovers,
  NewVmPlan,
  NewVmRequest,
  PoolCatalog,
  Provisioning,
  StepRunner,
} from '../../core/provision-port.js'
import { callXapi } from '../call-xapi.js'
import type { PoolConnection } from '../pool-connection.js'
import { translateXenError } from '../xapi-errors.js'
import { buildVm } from './build-vm.js'
import { catalogOf } from './catalog.js'
import { cleanUp, leftoversOf } from './clean-up.js'
import { DOCKER_CLOUD_CONFIG } from './docker-cloud-config.js'
import { prepareVm } from './prepare-vm.js'

export interface ProvisioningOptions {
  /** Template names offered besides the CoreOS template and templates tagged docker-ready. */
  readonly dockerReadyTemplates?: readonly string[] | undefined
  /** How long a new VM may take to report its IP (default 10 minutes). */
  readonly ipTimeoutSeconds?: number | undefined
  /** How long Docker may take to answer once the IP is known (default 5 minutes). */
  readonly dockerTimeoutSeconds?: number | undefined
  /** The bot's public key line for modern guests (the SSH backend's), when it has one. */
  readonly botPublicKey?: (() => string | undefined) | undefined
}

export class XenProvisioning implements Provisioning {
  readonly #pools: ReadonlyMap<string, PoolConnection>
  readonly #inventory: Inventory
  readonly #options: ProvisioningOptions

  constructor(connections: readonly PoolConnection[], inventory: Inventory, options: ProvisioningOptions = {}) {
    this.#pools = new Map(connections.map((c) => [c.name, c]))
    this.#inventory = inventory
    this.#options = options
  }

  catalog(pool: string): PoolCatalog | undefined {
    const xapi = this.#pools.get(pool)?.client
    return xapi ? catalogOf(pool, xapi, this.#options.dockerReadyTemplates ?? []) : undefined
  }

  #client(pool: string) {
    const connection = this.#pools.get(pool)
    if (!connection) {
      const known = [...this.#pools.keys()].join(', ')
      throw new UserError('xen.unknown_pool', `there is no pool named "${pool}"; the pools are ${known}`, {
        details: { field: 'pool' },
      })
    }
    const xapi = connection.client
    if (!xapi) {
      throw new UserError('xen.pool_unavailable', `pool ${pool} is not connected right now; try again shortly`, {
        details: { field: 'pool' },
      })
    }
    return { connection, xapi }
  }

  async defaultCloudConfig(pool: string, template: string): Promise<string> {
    const { xapi } = this.#client(pool)
    const found = this.catalog(pool)?.templates.find((t) => t.uuid === template)
    if (found?.route !== 'xscontainer') return DOCKER_CLOUD_CONFIG
    try {
      const answer = await callXapi<string>(
        xapi,
        'host.call_plugin',
        String(xapi.pool.master),
        'xscontainer',
        'get_config_drive_default',
        {
          templateuuid: template,
        },
      )
      return answer.replace(/^True/, '')
    } catch (error) {
      if ((error as { code?: unknown }).code === 'XENAPI_MISSING_PLUGIN') {
        throw new UserError(
          'vm.no_xscontainer',
          `the CoreOS template needs the xscontainer pack, and the master of pool ${pool} has none: install the pack, or pick a docker-ready template`,
          { details: { field: 'template' } },
        )
      }
      throw translateXenError(error, { pool })
    }
  }

  async prepare(request: NewVmRequest): Promise<NewVmPlan> {
    const { xapi } = this.#client(request.pool)
    const catalog = this.catalog(request.pool) as PoolCatalog
    return prepareVm(
      { xapi, catalog, defaultCloudConfig: (template) => this.defaultCloudConfig(request.pool, template) },
      request,
    )
  }

  build(plan: NewVmPlan, context: BuildContext): Promise<BuiltVm> {
    const { connection } = this.#client(plan.pool)
    return buildVm(
      {
        connection,
        inventory: this.#inventory,
        ipTimeoutMs: (this.#options.ipTimeoutSeconds ?? 600) * 1000,
        dockerTimeoutMs: (this.#options.dockerTimeoutSeconds ?? 300) * 1000,
        botPublicKey: this.#options.botPublicKey,
      },
      plan,
      context,
    )
  }

  leftovers(pool: string, vm: string | undefined, disks: readonly string[]): Promise<Leftovers> {
    const { xapi } = this.#client(pool)
    return leftoversOf(xapi, pool, vm, disks).catch((error) => {
      throw translateXenError(error, { pool })
    })
  }

  async cleanUp(leftovers: Leftovers, step: StepRunner): Promise<void> {
    const { xapi } = this.#client(leftovers.pool)
    await cleanUp(xapi, leftovers, async (label, fn) =>
      step(label, async (progress) => {
        try {
          return await fn(progress)
        } catch (error) {
          throw translateXenError(error, { pool: leftovers.pool, vm: leftovers.vm?.name })
        }
      }),
    )
  }
}
