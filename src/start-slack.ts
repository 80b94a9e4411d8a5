/**
 * The Slack adapter wired to the app (DESIGN.md: config → … → adapters): secrets resolved and checked,
 * the user groups the access config names tracked, the adapter's group cache registered with the
 * access policy (so a requester re-checked later keeps group-given rights), /healthz told about it.
 */
import { SlackAdapter } from '../adapters/slack/slack-adapter.js'
import { resolveSlackSecrets, type SlackConfig } from '../adapters/slack/slack-config.js'
import type { App } from './app.js'
import type { Log } from './log.js'

export interface StartSlackOptions {
  readonly log: Log
  /** Where `{ env: NAME }` secrets are read (default: the process environment). */
  readonly env?: NodeJS.ProcessEnv | undefined
  /** Tests shorten these. */
  readonly submitAckMs?: number | undefined
  readonly clientPingTimeoutMs?: number | undefined
}

export async function startSlack(app: App, config: SlackConfig, options: StartSlackOptions): Promise<SlackAdapter> {
  const { secrets, problems } = resolveSlackSecrets(config, options.env)
  if (!secrets) {
    throw new Error(`platforms.slack: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`)
  }
  const adapter = new SlackAdapter({
    config,
    secrets,
    dispatcher: app.dispatcher,
    log: options.log,
    trackedGroups: app.access.groupsNamed('slack'),
    submitAckMs: options.submitAckMs,
    clientPingTimeoutMs: options.clientPingTimeoutMs,
  })
  app.access.setGroupLookup('slack', (userId) => adapter.cachedGroups(userId))
  app.attach(adapter)
  // Issue #11: alerts routed to Slack go out through its sink.
  app.alerts?.attach(adapter.alertSink)
  // Issue #15: any replica can edit a Slack card by channel and ts (the leader closing a dead replica's job).
  app.cards.register('slack', (ref, card) => adapter.editCard(ref, card))
  await adapter.start()
  return adapter
}
