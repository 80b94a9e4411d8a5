/**
 * Where answers go (conversation.ts, live-message.ts), against the fake Slack with the real WebClient:
 * private answers through the response_url while it lasts (five posts, thirty minutes), then with the
 * bot token; channel cards posted once and edited, a burst of states collapsing into the latest; and a
 * channel the bot cannot post in answered through the response_url, final states only.
 */
import { webApi } from '@slack/bolt'
import { afterEach, describe, expect, it } from 'vitest'
import { Conversation } from '../../../adapters/slack/conversation.js'
import { MessageBoard } from '../../../adapters/slack/live-message.js'
import { Pager } from '../../../adapters/slack/pager.js'
import { ResponseUrl } from '../../../adapters/slack/response-url.js'
import { SlackApi } from '../../../adapters/slack/slack-api.js'
import { channelReply, privateReply, type StatusCard, text } from '../../../src/core/reply.js'
import { silentLog } from '../../../src/log.js'
import { BOT_TOKEN, FakeSlack } from './fake-slack.js'
import { textOf } from './slack-bot.js'

const fakes: FakeSlack[] = []
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()))
})

async function setup() {
  const slack = await FakeSlack.start()
  fakes.push(slack)
  const client = new webApi.WebClient(BOT_TOKEN, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  })
  const api = new SlackApi(client, { log: silentLog, transientRetries: 0 })
  const pager = new Pager()
  const deps = { api, log: silentLog, pager, board: new MessageBoard({ api, log: silentLog, pager }) }
  const responseUrl = new ResponseUrl(slack.responseUrl())
  const convo = new Conversation(deps, { channel: 'C0OPS', userId: 'U0ALICE', responseUrl })
  return { slack, convo, responseUrl }
}

const card = (step: number, state: StatusCard['state'] = 'running'): StatusCard => ({
  title: 'restart nginx-front in web-1 (job 1)',
  state,
  steps: [{ label: `step ${step}`, state: state === 'running' ? 'running' : 'done' }],
})

describe('private answers', () => {
  it('go through the response_url, then the bot token once it is used up', async () => {
    const { slack, convo, responseUrl } = await setup()
    await convo.ephemeral(privateReply(text('first')))
    expect(slack.responses.map((r) => r.body.response_type)).toEqual(['ephemeral'])
    for (let i = 0; i < 4; i++) await responseUrl.send({ text: 'filler' })
    await convo.ephemeral(privateReply(text('sixth')))
    expect(slack.responses).toHaveLength(5)
    const [posted] = slack.callsOf('chat.postEphemeral')
    expect(posted?.params).toMatchObject({ channel: 'C0OPS', user: 'U0ALICE' })
    expect(textOf(posted?.params.blocks as unknown[])).toContain('sixth')
  })

  it('fall back to the bot token when the response_url is refused', async () => {
    const { slack, convo } = await setup()
    slack.responseStatus = 404
    await convo.ephemeral(privateReply(text('late answer')))
    expect(textOf(slack.callsOf('chat.postEphemeral')[0]?.params.blocks as unknown[])).toContain('late answer')
  })
})

describe('channel cards', () => {
  it('post once, then collapse a burst of states into the latest edit', async () => {
    const { slack, convo } = await setup()
    const shown = Array.from({ length: 10 }, (_, i) => convo.status(card(i + 1)))
    await Promise.all(shown)
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1)
    expect(slack.callsOf('chat.update')).toHaveLength(1)
    const [message] = slack.messages.values()
    expect(textOf(message?.blocks)).toContain('step 10')
    await convo.status(card(11, 'succeeded'))
    await convo.reply(channelReply(text('nginx-front in web-1: restart done', 'success')))
    // The result above the job's final card, in the same message.
    expect(textOf(message?.blocks)).toMatch(/restart done[\s\S]*step 11/)
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1)
  })

  it('go through the response_url where the bot cannot post, final states and replies only', async () => {
    const { slack, convo } = await setup()
    slack.notJoined.add('C0OPS')
    await convo.status(card(1))
    await convo.status(card(2))
    await convo.status(card(3, 'succeeded'))
    await convo.reply(channelReply(text('done')))
    expect(slack.callsOf('chat.postMessage').map((c) => c.error)).toEqual(['not_in_channel'])
    expect(
      slack.responses.map((r) => [r.body.response_type, textOf(r.body.blocks as unknown[]).split('\n')[0]]),
    ).toEqual([
      ['in_channel', '✅ *restart nginx-front in web-1 (job 1)* — succeeded'],
      ['in_channel', 'done'],
    ])
  })
})
