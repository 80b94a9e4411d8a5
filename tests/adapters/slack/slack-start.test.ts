/**
 * Starting the adapter against the fake Slack with something wrong: the start fails with a sentence
 * that names the config key to fix, instead of a library stack or a silent retry loop.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { SlackAdapter } from '../../../adapters/slack/slack-adapter.js'
import { slackConfigSchema } from '../../../adapters/slack/slack-config.js'
import { privateReply, text } from '../../../src/core/reply.js'
import { silentLog } from '../../../src/log.js'
import { APP_TOKEN, BOT_TOKEN, FakeSlack } from './fake-slack.js'

const fakes: FakeSlack[] = []
const adapters: SlackAdapter[] = []
afterEach(async () => {
  for (const adapter of adapters.splice(0)) await adapter.stop()
  await Promise.all(fakes.splice(0).map((f) => f.close()))
})

/** The adapter never reaches the dispatcher here: a stand-in that answers anything. */
const dispatcher = {
  handle: async () => privateReply(text('unused')),
  press: async () => privateReply(text('unused')),
  submit: async () => ({ kind: 'reply' as const, reply: privateReply(text('unused')) }),
}

async function start(secrets: { botToken: string; appToken?: string }) {
  const slack = await FakeSlack.start()
  fakes.push(slack)
  const config = slackConfigSchema.parse({ botToken: { env: 'B' }, appToken: { env: 'A' }, apiUrl: slack.apiUrl })
  const adapter = new SlackAdapter({ config, secrets, dispatcher, log: silentLog })
  adapters.push(adapter)
  return {
    slack,
    adapter,
    started: adapter.start().then(
      () => 'started',
      (error: Error) => error.message,
    ),
  }
}

describe('starting the Slack adapter', () => {
  it('connects with the right tokens', async () => {
    const { slack, adapter, started } = await start({ botToken: BOT_TOKEN, appToken: APP_TOKEN })
    expect(await started).toBe('started')
    await slack.connected()
    expect(adapter.connected()).toBe(true)
    expect(slack.callsOf('apps.connections.open')[0]?.token).toBe(APP_TOKEN)
  })

  it('stops with a plain reason when the bot token is refused', async () => {
    const { slack, started } = await start({ botToken: 'xoxb-wrong', appToken: APP_TOKEN })
    expect(await started).toBe('Slack did not accept the bot token (invalid_auth); check platforms.slack.botToken')
    expect(slack.callsOf('apps.connections.open')).toEqual([])
  })

  it('stops with a plain reason when the app-level token is refused', async () => {
    const { started } = await start({ botToken: BOT_TOKEN, appToken: 'xapp-wrong' })
    expect(await started).toBe(
      'Slack adapter could not open a Socket Mode connection (invalid_auth); check platforms.slack.appToken',
    )
  })
})
