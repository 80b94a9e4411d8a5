/**
 * One bot replica as production wires it (issue #15): createApp on `store.postgres` with the leader
 * lease that configuration implies (configuredLeaderLease, with short intervals), the simulated pools,
 * then startSlack in Socket Mode against the fake Slack. The replica tests start these in the test
 * process and in child processes (replica-child.ts), so nothing here imports vitest.
 */

import type { SlackAdapter } from '../../adapters/slack/slack-adapter.js'
import { commands } from '../../commands/index.js'
import { type App, createApp } from '../../src/app.js'
import { validateConfig } from '../../src/config.js'
import type { LeaderLease } from '../../src/core/leader-lease.js'
import { type Log, silentLog } from '../../src/log.js'
import { startSlack } from '../../src/start-slack.js'
import { configuredLeaderLease } from '../../src/store/open-configured-lease.js'
import { APP_TOKEN, BOT_TOKEN } from '../adapters/slack/fake-slack.js'
import { holdCommand } from './hold-command.js'

/** Everything a replica needs to know, as plain data (a child gets it as JSON). */
export interface ReplicaSpec {
  readonly replicaId: string
  readonly postgresUrl: string
  readonly schema: string
  readonly pools: readonly {
    readonly name: string
    readonly url: string
    readonly username: string
    readonly password: string
  }[]
  readonly slackApiUrl: string
  /** Each replica its own (the SSH key is made there). */
  readonly dataDir: string
  readonly ttlMs: number
  readonly renewMs: number
  readonly orphanSweepMs?: number | undefined
  /** The `alerts` section, when the test wants them. */
  readonly alerts?: Record<string, unknown> | undefined
  /** `approvals.actions`. */
  readonly approvals?: Record<string, Record<string, unknown>> | undefined
}

export interface Replica {
  readonly app: App
  readonly adapter: SlackAdapter
  readonly lease: LeaderLease
}

/** alice operates, bob and carol approve (by Slack user id). */
export const REPLICA_ACCESS = {
  roles: {
    operator: { permissions: ['docker.read', 'docker.operate', 'xen.read'] },
    approver: { permissions: ['docker.read', 'xen.read', 'approve'] },
  },
  subjects: [
    { platform: 'slack', users: ['U0ALICE'], roles: ['operator'] },
    { platform: 'slack', users: ['U0BOB', 'U0CAROL'], roles: ['approver'] },
  ],
}

/** tests/helpers/xen.ts's FAST_TUNING (not imported: that module needs vitest). */
const TUNING = { debounce: 5, eventPollDelay: 100, callTimeout: 5000, backoff: { initial: 50, max: 500 } }

export async function startReplica(spec: ReplicaSpec, log: Log = silentLog): Promise<Replica> {
  const env = {
    SIM_PW: spec.pools[0]?.password ?? '',
    XC_DATABASE_URL: spec.postgresUrl,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_APP_TOKEN: APP_TOKEN,
  }
  const config = validateConfig(
    {
      pools: spec.pools.map((p) => ({ name: p.name, url: p.url, username: p.username, password: { env: 'SIM_PW' } })),
      access: REPLICA_ACCESS,
      approvals: { actions: spec.approvals ?? {} },
      store: { postgres: { url: { env: 'XC_DATABASE_URL' }, schema: spec.schema, poolSize: 4 } },
      platforms: {
        slack: {
          mode: 'socket',
          botToken: { env: 'SLACK_BOT_TOKEN' },
          appToken: { env: 'SLACK_APP_TOKEN' },
          apiUrl: spec.slackApiUrl,
        },
      },
      ...(spec.alerts ? { alerts: spec.alerts } : {}),
    },
    `replica ${spec.replicaId}`,
  )
  const lease = configuredLeaderLease(config.store, {
    replicaId: spec.replicaId,
    ttlMs: spec.ttlMs,
    renewMs: spec.renewMs,
    env,
    onError: (error) => log.warn({ err: error }, 'the leader lease could not be renewed'),
  })
  const app = await createApp({
    config,
    log,
    env,
    dataDir: spec.dataDir,
    tuning: TUNING,
    lease,
    orphanSweepMs: spec.orphanSweepMs,
    commands: [...commands, holdCommand],
  })
  try {
    await Promise.all(app.xen.connections.map((c) => c.synced(15_000)))
    const slack = config.platforms.slack
    if (!slack) throw new Error('no Slack config')
    const adapter = await startSlack(app, slack, { log, env })
    return { app, adapter, lease }
  } catch (error) {
    await app.stop()
    throw error
  }
}
