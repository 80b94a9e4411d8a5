/**
 * The slack-ack benchmark's bot, in its own process so the fake Slack's measuring loop does not share
 * its event loop: `node --import tsx slack-bot-child.ts <json>` builds the bot as production does —
 * createApp over the given pools, then startSlack (the project's adapter on the real bolt App, Socket
 * Mode) against the fake Slack's API URL — prints one JSON line once the pools are synced, and runs
 * until SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../src/app.js'
import { validateConfig } from '../../src/config.js'
import { silentLog } from '../../src/log.js'
import { startSlack } from '../../src/start-slack.js'
import { APP_TOKEN, BOT_TOKEN } from '../adapters/slack/fake-slack.js'
import type { SimPoolInfo } from './bench-lib.js'

export interface SlackBotChildArgs {
  readonly pools: readonly SimPoolInfo[]
  readonly apiUrl: string
  /** The Slack user who may read and operate (a named user: no user-group lookups in the way). */
  readonly user: string
}

const args = JSON.parse(process.argv[2] ?? '{}') as SlackBotChildArgs
const config = validateConfig(
  {
    pools: args.pools.map((p) => ({ name: p.name, url: p.url, username: p.username, password: { env: 'SIM_PW' } })),
    access: {
      roles: { operator: { permissions: ['docker.read', 'docker.operate', 'xen.read'] } },
      subjects: [{ platform: 'slack', users: [args.user], roles: ['operator'] }],
    },
    platforms: {
      slack: {
        mode: 'socket',
        botToken: { env: 'SLACK_BOT_TOKEN' },
        appToken: { env: 'SLACK_APP_TOKEN' },
        apiUrl: args.apiUrl,
      },
    },
  },
  'slack-ack bench config',
)
const dataDir = mkdtempSync(join(tmpdir(), 'xen-chatops-bench-slack-'))
const app = await createApp({
  config,
  log: silentLog,
  env: { SIM_PW: args.pools[0]?.password ?? '' },
  dataDir,
  // The pools hang for the whole benchmark: no call may time out (and answer) in the middle of a round.
  tuning: { callTimeout: 600_000 },
})
await Promise.all(app.xen.connections.map((c) => c.synced(60_000)))
const slackConfig = config.platforms.slack
if (!slackConfig) throw new Error('no Slack config')
const adapter = await startSlack(app, slackConfig, {
  log: silentLog,
  env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN },
})
process.stdout.write(`${JSON.stringify({ ready: true })}\n`)
process.once('SIGTERM', () => {
  void (async () => {
    await adapter.stop()
    await app.stop()
    rmSync(dataDir, { recursive: true, force: true })
    process.exit(0)
  })()
})
