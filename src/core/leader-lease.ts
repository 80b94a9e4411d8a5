/**
 * One leader among the replicas of the bot (issue #15). Some work must run once however many replicas
 * run: the XAPI event consumers that feed alerts, the alert sender, the Discord gateway connection (a
 * token admits one session per shard), the expiry sweeps, and marking the jobs of a dead replica
 * interrupted. That work runs on the replica holding the lease; everything else (answering commands,
 * Slack Socket Mode, its own XAPI caches) runs on every replica.
 *
 * Implementations: `singleProcessLease` below (one bot, SQLite: always the leader once started), and
 * src/store/pg/pg-leader-lease.ts (a lease row in PostgreSQL renewed by heartbeat; see there for the
 * handover bound).
 *
 * Use: subscribe with onChange, then start(); start the leader-only work when the listener hears true
 * and stop it when it hears false. Check isLeader() again right before an action that must not run
 * twice (posting an alert), since leadership can end between the listener and the action. As leader,
 * call `jobs.interruptRunning(now, await lease.alive())` on becoming leader and then periodically, so the
 * jobs of a replica that died are closed while those of live replicas are spared.
 */
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'

export interface LeaderLease {
  /** This replica's id: unique per process start, stored as the `owner` of the jobs it runs. */
  readonly replicaId: string
  /**
   * Whether this replica holds the lease at this moment. False before start() and after stop(); for
   * the PostgreSQL lease, false as soon as the lease may have run out (renewal failed for too long),
   * even before the listeners hear of it.
   */
  isLeader(): boolean
  /**
   * Calls `listener` each time leadership changes: true when this replica becomes leader, false when
   * it stops being one (lost the lease, or stop()). Never called twice in a row with the same value.
   * Listeners run synchronously and must not throw (an error is reported, not propagated). Returns a
   * function that unsubscribes.
   */
  onChange(listener: (leader: boolean) => void): () => void
  /** The replicas seen heartbeating recently, this one included once started, sorted. */
  alive(): Promise<string[]>
  /** Joins: resolves once the first heartbeat is recorded and the lease was tried once. */
  start(): Promise<void>
  /**
   * Leaves: tells the listeners false (if leader), gives the lease up so another replica takes over at
   * once rather than when it runs out, and stops heartbeating. Idempotent.
   */
  stop(): Promise<void>
}

/**
 * A replica id new for each process start (`host-4242-9f3a1c0e`): a restarted replica is a new one, so
 * the jobs its previous life left running are not mistaken for live ones.
 */
export const newReplicaId = () => `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`

/** The lease of a bot that runs alone (SQLite): it leads from start() to stop(), and is the only one alive. */
export function singleProcessLease(
  replicaId = newReplicaId(),
  onError: (error: unknown) => void = () => {},
): LeaderLease {
  const listeners = new Set<(leader: boolean) => void>()
  let leader = false
  const set = (value: boolean) => {
    if (leader === value) return
    leader = value
    for (const listener of [...listeners]) {
      try {
        listener(value)
      } catch (error) {
        onError(error)
      }
    }
  }
  return {
    replicaId,
    isLeader: () => leader,
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    alive: async () => (leader ? [replicaId] : []),
    start: async () => set(true),
    stop: async () => set(false),
  }
}
