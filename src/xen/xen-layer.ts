/**
 * The Xen layer as main.ts wires it: one connection per configured pool, the inventory over them, and
 * the Docker backend. Starting returns at once; each pool syncs (or degrades) on its own.
 */
import { type PoolConfig, resolveSecret } from '../config.js'
import type { Log } from '../log.js'
import { XenInventory } from './inventory.js'
import { type ClientTuning, PoolConnection } from './pool-connection.js'
import { type ProvisioningOptions, XenProvisioning } from './provision/xen-provisioning.js'
import { XscontainerBackend } from './xscontainer-backend.js'

export interface XenLayerOptions {
  readonly pools: readonly PoolConfig[]
  readonly log: Log
  readonly tuning?: ClientTuning | undefined
  readonly env?: NodeJS.ProcessEnv | undefined
  /** `/coreos create`: templates, timeouts (config `provisioning`). */
  readonly provisioning?: ProvisioningOptions | undefined
}

export interface XenLayer {
  readonly connections: readonly PoolConnection[]
  readonly inventory: XenInventory
  readonly xscontainer: XscontainerBackend
  readonly provisioning: XenProvisioning
  start(): void
  stop(): Promise<void>
}

export function createXenLayer(options: XenLayerOptions): XenLayer {
  const connections = options.pools.map(
    (pool) =>
      new PoolConnection(pool, () => resolveSecret(pool.password, options.env), options.log, options.tuning ?? {}),
  )
  const inventory = new XenInventory(connections, options.log)
  return {
    connections,
    inventory,
    xscontainer: new XscontainerBackend(connections),
    provisioning: new XenProvisioning(connections, inventory, options.provisioning),
    start: () => {
      for (const c of connections) c.start()
    },
    stop: async () => {
      await Promise.all(connections.map((c) => c.stop()))
    },
  }
}
