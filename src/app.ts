/**
 * The composition root's core (DESIGN.md: config → log → xen → core → adapters), separate from the
 * process concerns in main.ts so tests and the demo can start the whole bot in-process.
 */
import { commands } from '../commands/index.js'
import type { AppConfig } from './config.js'
import { AccessPolicy } from './core/access.js'
import { Dispatcher } from './core/dispatcher.js'
import type { Log } from './log.js'
import { createDockerRouter } from './xen/docker-router.js'
import type { ClientTuning } from './xen/pool-connection.js'
import { createXenLayer, type XenLayer } from './xen/xen-layer.js'

export interface App {
  readonly xen: XenLayer
  readonly dispatcher: Dispatcher
  stop(): Promise<void>
}

export interface AppOptions {
  readonly config: AppConfig
  readonly log: Log
  /** Where `{ env: NAME }` secrets are read (the demo passes its own). */
  readonly env?: NodeJS.ProcessEnv | undefined
  readonly tuning?: ClientTuning | undefined
}

export function createApp(options: AppOptions): App {
  const { config, log } = options
  const xen = createXenLayer({ pools: config.pools, log, env: options.env, tuning: options.tuning })
  const dispatcher = new Dispatcher({
    commands,
    access: new AccessPolicy(config.access),
    inventory: xen.inventory,
    docker: createDockerRouter({ xscontainer: xen.xscontainer }),
    log,
  })
  xen.start()
  return { xen, dispatcher, stop: () => xen.stop() }
}
