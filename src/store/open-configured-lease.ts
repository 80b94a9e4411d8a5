/**
 * The leader lease the configuration implies (issue #15): with `store.postgres`, a PostgreSQL lease
 * shared by every replica on that database (and schema); without it the bot runs alone on SQLite and
 * leads by itself. Not started: subscribe with onChange, then start().
 */
import type { AppConfig } from '../config.js'
import { type LeaderLease, singleProcessLease } from '../core/leader-lease.js'
import { resolveSecret } from '../secret-ref.js'
import { PgLeaderLease } from './pg/pg-leader-lease.js'

export interface ConfiguredLeaseOptions {
  /** Default: a new id per process start. */
  readonly replicaId?: string | undefined
  /** A failed heartbeat or a listener that threw; for the log. */
  readonly onError?: ((error: unknown) => void) | undefined
  /** Heartbeat intervals (tests); the defaults hand over within 4 s. */
  readonly ttlMs?: number | undefined
  readonly renewMs?: number | undefined
  readonly env?: NodeJS.ProcessEnv | undefined
}

export function configuredLeaderLease(config: AppConfig['store'], options: ConfiguredLeaseOptions = {}): LeaderLease {
  const postgres = config.postgres
  if (!postgres) return singleProcessLease(options.replicaId, options.onError)
  let url: string
  try {
    url = resolveSecret(postgres.url, options.env)
  } catch (error) {
    throw new Error(`store.postgres.url: ${(error as Error).message}`)
  }
  return new PgLeaderLease({
    url,
    schema: postgres.schema,
    replicaId: options.replicaId,
    ttlMs: options.ttlMs,
    renewMs: options.renewMs,
    onError: options.onError,
  })
}
