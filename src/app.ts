/**
 * The composition root's core (DESIGN.md: config → log → xen → core → adapters), separate from the
 * process concerns in main.ts so tests and the demo can start the whole bot in-process.
 */
import { commands } from '../commands/index.js'
import { type AlertClock, systemClock } from './alerts/alert-clock.js'
import { type Alerts, createAlerts } from './alerts/alerts.js'
import { ExpectedChangeRegistry, expectingBackend } from './alerts/expected-changes.js'
import { MissedDeaths } from './alerts/missed-deaths.js'
import { restartableAlerts } from './alerts/restartable-alerts.js'
import { type AppConfig, resolveSecret } from './config.js'
import { AccessPolicy } from './core/access.js'
import { ApprovalService } from './core/approvals.js'
import { CardEditors } from './core/card-editors.js'
import type { AnyCommand } from './core/command.js'
import { Dispatcher } from './core/dispatcher.js'
import { Governance } from './core/governance.js'
import { JobRunner } from './core/jobs.js'
import type { LeaderLease } from './core/leader-lease.js'
import type { JobRecord } from './core/store-ports.js'
import { createSuggestions, type Suggestions } from './core/suggestions.js'
import { leaderTasks } from './leader-tasks.js'
import { LeaderWork } from './leader-work.js'
import type { Log } from './log.js'
import { type AdapterHealth, type Health, healthOf } from './ops/health.js'
import { type OpsHttpServer, startOpsHttpServer } from './ops/http-server.js'
import { createInstruments, type JobTracker } from './ops/instruments.js'
import { PromMetrics } from './ops/prom-metrics.js'
import { configuredLeaderLease } from './store/open-configured-lease.js'
import { openConfiguredStore } from './store/open-configured-store.js'
import type { Store } from './store/open-store.js'
import { createDockerRouter } from './xen/docker-router.js'
import { createDoctor } from './xen/doctor.js'
import type { ClientTuning } from './xen/pool-connection.js'
import { type BotIdentity, loadBotIdentity } from './xen/ssh/bot-identity.js'
import { XenDockerSetup } from './xen/ssh/docker-setup.js'
import { type EndpointResolver, productionEndpoint } from './xen/ssh/ssh-docker-backend.js'
import { createXenLayer, type XenLayer } from './xen/xen-layer.js'

/** A chat adapter started beside the app: reported in /healthz, stopped first by stop(). */
export interface ChatAdapter extends AdapterHealth {
  stop?(): Promise<void>
}

export interface App {
  readonly xen: XenLayer
  /** The bot's SSH key pair (its public line is what `/xen key` shows). */
  readonly identity: BotIdentity
  readonly dispatcher: Dispatcher
  /** Who may do what; adapters register how they look up platform groups (setGroupLookup). */
  readonly access: AccessPolicy
  readonly store: Store
  /** Issue #15: whether this replica leads, and the work that runs only there (Discord adds its gateway). */
  readonly leader: LeaderWork
  /** How a chat adapter edits one of its cards by address (the leader closing a dead replica's job card). */
  readonly cards: CardEditors
  /** Ranked, scope-filtered names: "did you mean", and completion in the terminal chat. */
  readonly suggestions: Suggestions
  /** Jobs a previous run left running, now marked interrupted: adapters show their final cards. */
  readonly interrupted: readonly JobRecord[]
  /** The Prometheus registry `/metrics` serves. */
  readonly metrics: PromMetrics
  /** The jobs running now (graceful shutdown waits for them). */
  readonly jobs: JobTracker
  /** The alert channel (issue #11), when `alerts` is configured: adapters attach their sinks to it. */
  readonly alerts?: Alerts | undefined
  /** What `/healthz` answers. */
  health(): Health
  /** Adds a chat adapter to /healthz (not connected until it says so) and to stop(). */
  attach(adapter: ChatAdapter): void
  /** Starts the HTTP server when `http.port` is configured; undefined otherwise. Closed by stop(). */
  startHttp(): Promise<OpsHttpServer | undefined>
  /** Shutdown: the jobs still running become interrupted (stored, audited); returns them. */
  interruptRunning(): Promise<JobRecord[]>
  /** Stops the chat adapters, closes the HTTP server, the store, then the pool sessions. Idempotent. */
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
  /**
   * Where a guest's SSH server is for an IP: `ip:22` unless given (the demo and tests pass the
   * simulator's loopback map).
   */
  readonly resolveEndpoint?: EndpointResolver | undefined
  /** The command registry (default: commands/index.ts); tests add commands of their own. */
  readonly commands?: readonly AnyCommand[] | undefined
  /** The leader lease (issue #15); default from `store` (PostgreSQL shares one, SQLite leads alone). */
  readonly lease?: LeaderLease | undefined
  /** How often the leader looks for jobs of replicas that are gone (default 5 s; tests go faster). */
  readonly orphanSweepMs?: number | undefined
  /** The alerts' clock (issue #11): tests run windows and rates on simulated time. */
  readonly alertClock?: AlertClock | undefined
}

export async function createApp(options: AppOptions): Promise<App> {
  const { config, log } = options
  // The store first: if the data directory is unusable the bot must not start taking actions.
  const dataDir = options.dataDir ?? config.store.dataDir
  const store = await openConfiguredStore(config.store, {
    dataDir,
    env: options.env,
    onError: (error) => log.warn({ err: error }, 'an idle database connection failed; it is replaced'),
  })
  let identity: BotIdentity
  try {
    identity = loadBotIdentity({
      dataDir,
      configured: config.ssh.privateKey && resolveSecret(config.ssh.privateKey, options.env),
    })
  } catch (error) {
    await store.close()
    throw error
  }
  const access = new AccessPolicy(config.access)
  const metrics = new PromMetrics()
  const instruments = createInstruments(metrics)
  // Issue #15: one replica of several leads (the work that must run once); a bot alone always does.
  const lease =
    options.lease ??
    configuredLeaderLease(config.store, {
      env: options.env,
      onError: (error) => log.warn({ err: error }, 'the leader lease could not be renewed'),
    })
  const leader = new LeaderWork(lease, log)
  const shared = config.store.postgres !== undefined
  const jobs = new JobRunner({
    store: store.jobs,
    audit: store.audit,
    observer: instruments.jobs,
    owner: lease.replicaId,
  })
  // Alone, every job still running was this bot's own last run; shared, the leader closes those of
  // replicas that are gone (and spares the live ones).
  const interrupted = shared ? [] : await jobs.interruptLeftovers()
  // Issue #11: jobs and container actions mark what they change, so the alerts do not report the bot's own work.
  const expected = new ExpectedChangeRegistry(options.alertClock ?? systemClock)
  const governance = new Governance({
    approvals: new ApprovalService({ store: store.approvals, audit: store.audit, access }),
    jobs,
    audit: store.audit,
    rules: config.approvals,
    interactions: store.interactions,
    expected,
  })
  const xen = createXenLayer({
    pools: config.pools,
    log,
    env: options.env,
    tuning: options.tuning,
    ssh: {
      identity,
      hostKeys: store.hostKeys,
      resolveEndpoint: options.resolveEndpoint ?? productionEndpoint,
      transport: config.ssh.transport,
      callTimeoutMs: config.ssh.callTimeoutSeconds * 1000,
    },
    provisioning: config.provisioning,
  })
  const unwatchPools = instruments.watchPools(xen.connections)
  const route = createDockerRouter({ xscontainer: xen.xscontainer, ssh: xen.ssh })
  const dockerSetup =
    xen.ssh &&
    new XenDockerSetup({
      connections: xen.connections,
      inventory: xen.inventory,
      identity,
      hostKeys: store.hostKeys,
      resolveEndpoint: options.resolveEndpoint ?? productionEndpoint,
      backend: xen.ssh,
      transport: config.ssh.transport,
    })
  const suggestions = createSuggestions(xen.inventory, access)
  const doctor = createDoctor(xen.connections, xen.inventory, { probeTimeoutMs: 10_000 })
  // ---- Alerts (issue #11): created from config; they run on the leader (started before the Xen layer,
  // below), and a replica that leads again gets a fresh channel (restartableAlerts). With replicas, a
  // follower keeps track of the deaths it sees, for the ones a leader that died never alerted.
  const alertsConfig = config.alerts
  const alertClock = options.alertClock ?? systemClock
  const alerts =
    alertsConfig &&
    restartableAlerts(
      () =>
        createAlerts({
          config: alertsConfig,
          store: store.alerts,
          inventory: xen.inventory,
          log,
          clock: alertClock,
          expected,
          doctor,
          commands: (options.commands ?? commands).map((c) => c.path),
        }),
      shared ? new MissedDeaths({ inventory: xen.inventory, clock: alertClock, expected, log }) : undefined,
    )
  const dispatcher = new Dispatcher({
    commands: options.commands ?? commands,
    access,
    inventory: xen.inventory,
    docker: (vm) => expectingBackend(instruments.countXapiCalls(route(vm)), expected),
    log,
    observer: instruments.dispatch,
    governance,
    presses: alerts ? [alerts.presses] : [],
    doctor,
    dockerSetup,
    provisioning: xen.provisioning,
    suggestions,
    records: {
      recentJobs: (actorKey) => store.jobs.recent(actorKey, 10),
      pendingApprovals: () => store.approvals.pending(Date.now()),
    },
  })
  // The chat adapters configured; the terminal chat is connected as long as the process runs, the
  // others (Slack) attach themselves when they start.
  const adapters: ChatAdapter[] = config.platforms.shell ? [{ name: 'shell', connected: () => true }] : []
  const health = () => healthOf(xen.inventory.pools(), adapters)
  let http: OpsHttpServer | undefined
  let stopping: Promise<void> | undefined
  const cards = new CardEditors()
  for (const task of leaderTasks({
    leader,
    governance,
    jobs,
    cards,
    alerts,
    log,
    orphanSweepMs: options.orphanSweepMs,
    interrupted,
  }))
    await leader.add(task)
  await leader.start()
  xen.start()
  return {
    xen,
    identity,
    dispatcher,
    access,
    store,
    leader,
    cards,
    suggestions,
    interrupted,
    metrics,
    jobs: instruments.tracker,
    alerts,
    health,
    attach: (adapter) => {
      adapters.push(adapter)
    },
    startHttp: async () => {
      const port = config.http?.port
      if (port === undefined || stopping) return undefined
      http ??= await startOpsHttpServer({
        port,
        host: config.http?.host ?? '127.0.0.1',
        health,
        scrape: () => metrics.scrape(),
        onError: (error) => log.error({ err: error }, 'ops HTTP request failed'),
      })
      log.info({ url: http.url }, 'serving /healthz and /metrics')
      return http
    },
    // This replica's own running jobs (and any of replicas already gone); live replicas' jobs go on.
    interruptRunning: async () =>
      jobs.interruptLeftovers((await leader.alive()).filter((id) => id !== lease.replicaId)),
    stop: () => {
      stopping ??= (async () => {
        // Chat adapters first: no new commands arrive while the rest closes.
        await Promise.allSettled(adapters.map((a) => a.stop?.()))
        unwatchPools()
        // The lease is given up (another replica takes the leader's work at once) before the store closes.
        await leader.stop()
        await http?.close()
        // The store closes before the pools: a job step cut short by the sessions closing must not
        // overwrite the `interrupted` a shutdown just stored with a `failed` it never really had.
        await store.close()
        await xen.stop()
      })()
      return stopping
    },
  }
}

/**
 * Terminal completion from the command list and the caller's visible VM names (the shell passes the
 * acting user's name at each keystroke).
 */
export function shellCompletion(app: App, user: () => string) {
  return {
    commandWords: commands.map((c) => `/${c.path}`),
    complete: (line: string) =>
      app.suggestions
        .vms({ platform: 'shell', id: user(), name: user() }, /(\S*)$/.exec(line)?.[1] ?? '')
        .map((s) => s.value),
  }
}
