/**
 * The Xen layer as main.ts wires it: one connection per configured pool, the inventory over them, and
 * the Docker backends (xscontainer, and SSH when its identity is given). Starting returns at once; each
 * pool syncs (or degrades) on its own.
 */
import { type PoolConfig, resolveSecret } from '../config.js'
import type { Log } from '../log.js'
import { XenInventory } from './inventory.js'
import { type ClientTuning, PoolConnection } from './pool-connection.js'
import { type ProvisioningOptions, XenProvisioning } from './provision/xen-provisioning.js'
import { type SshBackendOptions, SshDockerBackend } from './ssh/ssh-docker-backend.js'
import { XscontainerBackend } from './xscontainer-backend.js'

export interface XenLayerOptions {
  readonly pools: readonly PoolConfig[]
  readonly log: Log
  readonly tuning?: ClientTuning | undefined
  readonly env?: NodeJS.ProcessEnv | undefined
  /** The SSH Docker backend's identity, host key pins and endpoint resolver; no SSH backend without it. */
  readonly ssh?: SshBackendOptions | undefined
  /** `/coreos create`: templates, timeouts (config `provisioning`). */
  readonly provisioning?: ProvisioningOptions | undefined
}

export interface XenLayer {
  readonly connections: readonly PoolConnection[]
  readonly inventory: XenInventory
  readonly xscontainer: XscontainerBackend
  readonly ssh: SshDockerBackend | undefined
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
  const ssh = options.ssh ? new SshDockerBackend(options.ssh) : undefined
  return {
    connections,
    inventory,
    xscontainer: new XscontainerBackend(connections),
    ssh,
    // A VM built for the SSH backend gets the bot's key beside the user's, so the bot can log in.
    provisioning: new XenProvisioning(connections, inventory, {
      ...options.provisioning,
      botPublicKey: options.provisioning?.botPublicKey ?? (options.ssh && (() => options.ssh?.identity.publicLine)),
    }),
    start: () => {
      for (const c of connections) c.start()
    },
    stop: async () => {
      ssh?.close()
      await Promise.all(connections.map((c) => c.stop()))
    },
  }
}
