/**
 * The Web API policy (slack-api.ts) and the alert sink over it, with bolt's real WebClient against the
 * fake Slack: 429s are waited out for exactly Retry-After (the wait is recorded, not slept), refusals
 * (bad token, HTTP 401/403, a channel the bot is not in) stop at once — one request, no storm — and
 * network trouble or 5xx get a couple of spaced retries.
 */
import { webApi } from '@slack/bolt'
import { afterEach, describe, expect, it } from 'vitest'
import { createSlackAlertSink } from '../../../adapters/slack/slack-alert-sink.js'
import { SlackApi } from '../../../adapters/slack/slack-api.js'
import { AlertSinkRefused } from '../../../src/core/alert-sink.js'
import { channelReply, text } from '../../../src/core/reply.js'
import { silentLog } from '../../../src/log.js'
import { BOT_TOKEN, FakeSlack } from './fake-slack.js'
import { textOf } from './slack-bot.js'

const fakes: FakeSlack[] = []
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()))
})

async function setup(token = BOT_TOKEN) {
  const slack = await FakeSlack.start()
  fakes.push(slack)
  const waits: number[] = []
  let clock = 0
  const client = new webApi.WebClient(token, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  })
  const api = new SlackApi(client, {
    log: silentLog,
    now: () => clock,
    sleep: async (ms) => {
      waits.push(ms)
      clock += ms
    },
  })
  return { slack, api, waits, sink: createSlackAlertSink(api) }
}

const alert = (words: string) => channelReply(text(words, 'error'))

describe('the Slack alert sink', () => {
  it('posts to a channel and edits the alert in place', async () => {
    const { slack, sink } = await setup()
    const posted = await sink.post('C0ALERTS', alert('nginx-front in web-1 died (exit 137)'))
    expect(posted.destination).toEqual({ platform: 'slack', channel: 'C0ALERTS' })
    await sink.update(posted, alert('nginx-front in web-1 is running again'))
    const message = slack.messages.get(`C0ALERTS:${posted.messageId}`)
    expect(textOf(message?.blocks)).toContain('running again')
    expect(slack.problems).toEqual([])
  })

  it('waits out a 429 for exactly Retry-After, then delivers', async () => {
    const { slack, sink, waits } = await setup()
    slack.rateLimitNext('chat.postMessage', 1, 7)
    const posted = await sink.post('C0ALERTS', alert('disk full'))
    expect(waits).toEqual([7_000])
    expect(slack.callsOf('chat.postMessage').map((c) => c.status)).toEqual([429, 200])
    expect(slack.messages.has(`C0ALERTS:${posted.messageId}`)).toBe(true)
  })

  it('gives up after a few waits when the limit persists (a bounded number of requests)', async () => {
    const { slack, sink, waits } = await setup()
    slack.rateLimitNext('chat.postMessage', 10, 1)
    const error = await sink.post('C0ALERTS', alert('x')).catch((e: unknown) => e)
    expect(error).not.toBeInstanceOf(AlertSinkRefused)
    expect((error as { code?: string }).code).toBe(webApi.ErrorCode.RateLimitedError)
    expect(waits).toEqual([1_000, 1_000, 1_000])
    expect(slack.callsOf('chat.postMessage')).toHaveLength(4)
  })

  const refusals: [string, (slack: FakeSlack) => void, RegExp, string?][] = [
    ['a wrong token', () => undefined, /invalid_auth.*platforms\.slack\.botToken/, 'xoxb-wrong'],
    ['a revoked token', (s) => s.failNext('chat.postMessage', 'token_revoked'), /token_revoked.*reinstall/],
    ['HTTP 401', (s) => s.failNext('chat.postMessage', 'unauthorized', 1, 401), /HTTP 401/],
    ['HTTP 403', (s) => s.failNext('chat.postMessage', 'forbidden', 1, 403), /HTTP 403/],
    ['a channel the bot is not in', (s) => s.notJoined.add('C0ALERTS'), /not_in_channel.*invite/],
    ['a missing scope', (s) => s.failNext('chat.postMessage', 'missing_scope'), /missing_scope.*scope/],
  ]
  for (const [what, arrange, message, token] of refusals) {
    it(`stops at once on ${what}: AlertSinkRefused after one request`, async () => {
      const { slack, sink, waits } = await setup(token)
      arrange(slack)
      const error = await sink.post('C0ALERTS', alert('x')).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(AlertSinkRefused)
      expect(String((error as Error).message)).toMatch(message)
      expect(slack.callsOf('chat.postMessage')).toHaveLength(1)
      expect(waits).toEqual([])
    })
  }

  it('retries a 5xx twice, spaced, then delivers', async () => {
    const { slack, sink, waits } = await setup()
    slack.failNext('chat.postMessage', 'internal_error', 2, 503)
    await sink.post('C0ALERTS', alert('x'))
    expect(slack.callsOf('chat.postMessage').map((c) => c.status)).toEqual([503, 503, 200])
    expect(waits).toEqual([500, 1_000])
  })
})

describe('SlackApi', () => {
  it('passes other platform errors through unchanged, without retrying', async () => {
    const { slack, api, waits } = await setup()
    slack.failNext('chat.update', 'message_not_found')
    const error = await api.call('chat.update', { channel: 'C0', ts: '1.2', text: 'x' }).catch((e: unknown) => e)
    expect((error as { data?: { error?: string } }).data?.error).toBe('message_not_found')
    expect(slack.callsOf('chat.update')).toHaveLength(1)
    expect(waits).toEqual([])
  })

  it('holds later calls of a rate-limited method until its Retry-After has passed', async () => {
    const slack = await FakeSlack.start()
    fakes.push(slack)
    const waits: number[] = []
    let clock = 0
    const client = new webApi.WebClient(BOT_TOKEN, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    })
    // The clock moves only when the test says: what each call waits is what is left of the block.
    const api = new SlackApi(client, { log: silentLog, now: () => clock, sleep: async (ms) => void waits.push(ms) })
    slack.rateLimitNext('chat.postMessage', 1, 3)
    await api.call('chat.postMessage', { channel: 'C0', text: 'a' })
    expect(waits).toEqual([3_000])
    clock = 1_000
    await api.call('chat.postMessage', { channel: 'C0', text: 'b' })
    expect(waits).toEqual([3_000, 2_000])
    // Another method is not held; neither is this one once the block has passed.
    await api.call('auth.test')
    clock = 3_000
    await api.call('chat.postMessage', { channel: 'C0', text: 'c' })
    expect(waits).toEqual([3_000, 2_000])
    expect(slack.callsOf('chat.postMessage').map((c) => c.status)).toEqual([429, 200, 200, 200])
  })
})
