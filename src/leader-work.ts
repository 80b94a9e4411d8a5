/**
 * The work that must run once however many replicas run (issue #15) — the XAPI event consumers that
 * feed alerts and the alert sender, the Discord gateway connection, the approvals' expiry sweep, and
 * closing the jobs of a replica that died — started on the replica holding the lease and stopped when
 * it loses it. Everything else (answering commands, Slack Socket Mode, each replica's own XAPI caches)
 * runs everywhere. A bot alone (SQLite) holds its lease from start to stop, so this is simply its work.
 *
 * Transitions are applied one at a time, in order: a lease lost while the work was still starting is
 * stopped once the start has finished, never in the middle of it.
 */
import type { LeaderLease } from './core/leader-lease.js'
import type { Log } from './log.js'

/** One piece of leader-only work; `start` may run again after a `stop` (leadership can come back). */
export interface LeaderTask {
  readonly name: string
  start(): Promise<void>
  stop(): Promise<void>
}

export class LeaderWork {
  readonly #lease: LeaderLease
  readonly #log: Log
  readonly #tasks: LeaderTask[] = []
  readonly #running = new Set<LeaderTask>()
  #chain: Promise<void> = Promise.resolve()
  #unsubscribe: (() => void) | undefined

  constructor(lease: LeaderLease, log: Log) {
    this.#lease = lease
    this.#log = log.child({ component: 'leader', replica: lease.replicaId })
  }

  get replicaId(): string {
    return this.#lease.replicaId
  }

  isLeader(): boolean {
    return this.#lease.isLeader()
  }

  /** Adds a task; started at once when this replica leads already. */
  add(task: LeaderTask): Promise<void> {
    this.#tasks.push(task)
    return this.#then(async () => {
      if (this.#lease.isLeader()) await this.#startTask(task)
    })
  }

  /** Joins the replicas; resolves once the lease was tried once and, if won, the tasks have started. */
  async start(): Promise<void> {
    this.#unsubscribe ??= this.#lease.onChange((leader) => {
      void this.#then(() => (leader ? this.#startAll() : this.#stopAll()))
    })
    await this.#lease.start()
    await this.settled()
  }

  /**
   * Stops the tasks, then leaves (the lease is given up, so another replica takes over at once). In that
   * order: a task may take a while to stop (the alerts store what they have queued), and the next leader
   * must not start its copy of the work while this one's is still running.
   */
  async stop(): Promise<void> {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    await this.#then(() => this.#stopAll())
    await this.#lease.stop()
  }

  /** Resolves once every transition asked so far has been applied. */
  settled(): Promise<void> {
    return this.#chain
  }

  alive(): Promise<string[]> {
    return this.#lease.alive()
  }

  #then(step: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(step).catch((error: unknown) => {
      this.#log.error({ err: error }, 'a leader transition failed')
    })
    return this.#chain
  }

  async #startAll(): Promise<void> {
    // The lease may have gone again while earlier transitions ran: then this one has nothing to do.
    if (!this.#lease.isLeader()) return
    this.#log.info('this replica leads: starting the work that runs once')
    for (const task of this.#tasks) await this.#startTask(task)
  }

  async #startTask(task: LeaderTask): Promise<void> {
    if (this.#running.has(task)) return
    try {
      await task.start()
      this.#running.add(task)
    } catch (error) {
      this.#log.error({ err: error, task: task.name }, 'a leader task failed to start')
    }
  }

  async #stopAll(): Promise<void> {
    if (this.#running.size === 0) return
    this.#log.info('this replica no longer leads: stopping the work that runs once')
    // The reverse order of starting: what depends on the others goes first.
    for (const task of [...this.#running].reverse()) {
      this.#running.delete(task)
      try {
        await task.stop()
      } catch (error) {
        this.#log.error({ err: error, task: task.name }, 'a leader task failed to stop')
      }
    }
  }
}
