/**
 * The composition root's core (DESIGN.md: config → log → xen → core → adapters), separate from the
 * process concerns in main.ts so tests and the demo can start the whole bot in-process.
 */
import { commands } from '../commands/index.js'
import type { AppConfig } from './config.js'
import { AccessPolicy } from './core/access.js'
import { ApprovalService } from './core/approvals.js'
import { Dispatcher } from './core/dispatcher.js'
import { Governance } from './core/governance.js'
import { JobRunner } from './core/jobs.js'
import type { JobRecord } from './core/store-ports.js'
import type { Log } from './log.js'
import { openStore, type Store } from './store/open-store.js'
import { createDockerRouter } from './xen/docker-router.js'
import type { ClientTuning } from './xen/pool-connection.js'
import { createXenLayer, type XenLayer } from './xen/xen-layer.js'

export interface App {
  readonly xen: XenLayer
  readonly dispatcher: Dispatcher
  readonly store: Store
  /** Jobs a previous run left running, now marked interrupted: adapters show their final cards. */
  readonly interrupted: readonly JobRecord[]
  stop(): Promise<void>
}

export interface AppOptions {
  readonly config: AppConfig
  readonly log: Log
  /** Where `{ env: NAME }` secrets are read (the demo passes its own). */
  readonly env?: NodeJS.ProcessEnv | undefined
  readonly tuning?: ClientTuning | undefined
  /** Overrides config.store.dataDir (the demo's temporary directory, tests). */
  readonly dataDir?: string | undefined
}

export function createApp(options: AppOptions): App {
  const { config, log } = options
  // The store first: if the data directory is unusable the bot must not start taking actions.
  const store = openStore({ dataDir: options.dataDir ?? config.store.dataDir })
  const access = new AccessPolicy(config.access)
  const jobs = new JobRunner({ store: store.jobs, audit: store.audit })
  const interrupted = jobs.interruptLeftovers()
  const governance = new Governance({
    approvals: new ApprovalService({ store: store.approvals, audit: store.audit, access }),
    jobs,
    audit: store.audit,
    rules: config.approvals,
    interactions: store.interactions,
  })
  const stopSweep = governance.startExpirySweep()
  const xen = createXenLayer({ pools: config.pools, log, env: options.env, tuning: options.tuning })
  const dispatcher = new Dispatcher({
    commands,
    access,
    inventory: xen.inventory,
    docker: createDockerRouter({ xscontainer: xen.xscontainer }),
    log,
    governance,
    records: {
      recentJobs: (actorKey) => store.jobs.recent(actorKey, 10),
      pendingApprovals: () => store.approvals.pending(Date.now()),
    },
  })
  xen.start()
  return {
    xen,
    dispatcher,
    store,
    interrupted,
    stop: async () => {
      stopSweep()
      await xen.stop()
      store.close()
    },
  }
}
