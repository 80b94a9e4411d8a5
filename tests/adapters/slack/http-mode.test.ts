/**
 * HTTP mode: Slack POSTs signed requests to the bot. The real bolt App behind our verifying receiver
 * accepts a correctly signed request and refuses (401, nothing dispatched) a tampered body, a tampered
 * timestamp, a stale or future-dated one, missing headers, another scheme and another secret.
 * Also: /healthz reports the adapter, in both modes, and stops reporting it connected once it stops.
 */
import { describe, expect, it } from 'vitest'
import { signSlackRequest } from '../../../adapters/slack/verify-signature.js'
import { SIGNING_SECRET, startSlackBot, textOf } from './slack-bot.js'
import { slashCommand } from './slack-payloads.js'

const FORM = 'application/x-www-form-urlencoded'

async function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body })
  await res.text()
  return res.status
}

describe('HTTP mode', () => {
  it('accepts a signed request and refuses every forged, replayed or unsigned one', async () => {
    const bot = await startSlackBot({ mode: 'http' })
    const url = bot.adapter.url
    if (!url) throw new Error('no URL')
    const now = Math.floor(Date.now() / 1000)
    const command = () => slashCommand(bot.slack, { id: 'U0ALICE', name: 'alice' }, '/docker ps web-1')
    const encode = (payload: ReturnType<typeof command>) =>
      new URLSearchParams(Object.entries(payload).map(([k, v]): [string, string] => [k, String(v)])).toString()

    const refused: { what: string; responseUrl: string; status: number }[] = []
    const attempt = async (
      what: string,
      build: (body: string) => { body: string; headers: Record<string, string> },
    ) => {
      const payload = command()
      const { body, headers } = build(encode(payload))
      refused.push({ what, responseUrl: payload.response_url, status: await post(url, body, headers) })
    }
    await attempt('tampered body', (body) => ({
      body: body.replace('web-1', 'web-2'),
      headers: signSlackRequest(SIGNING_SECRET, body, now),
    }))
    await attempt('tampered timestamp', (body) => ({
      body,
      headers: { ...signSlackRequest(SIGNING_SECRET, body, now), 'x-slack-request-timestamp': String(now + 1) },
    }))
    await attempt('stale', (body) => ({ body, headers: signSlackRequest(SIGNING_SECRET, body, now - 6 * 60) }))
    await attempt('future', (body) => ({ body, headers: signSlackRequest(SIGNING_SECRET, body, now + 6 * 60) }))
    await attempt('missing signature', (body) => ({
      body,
      headers: { 'x-slack-request-timestamp': String(now) },
    }))
    await attempt('missing timestamp', (body) => ({
      body,
      headers: { 'x-slack-signature': signSlackRequest(SIGNING_SECRET, body, now)['x-slack-signature'] },
    }))
    await attempt('wrong secret', (body) => ({ body, headers: signSlackRequest('another-secret', body, now) }))
    await attempt('another scheme', (body) => {
      const headers = signSlackRequest(SIGNING_SECRET, body, now)
      return { body, headers: { ...headers, 'x-slack-signature': headers['x-slack-signature'].replace('v0=', 'v1=') } }
    })
    expect(refused.map((r) => [r.what, r.status])).toEqual(refused.map((r) => [r.what, 401]))

    // A correctly signed one (a minute old, within the window): acknowledged, run, answered.
    const valid = command()
    const body = encode(valid)
    expect(await post(url, body, signSlackRequest(SIGNING_SECRET, body, now - 60))).toBe(200)
    const listing = await bot.slack.until(
      () => bot.posted().find((m) => textOf(m.blocks).includes('redis-cache')),
      'the answer to the signed request',
    )
    expect(listing.channel).toBe('C0OPS')
    // Exactly one command ran: nothing answered any refused request, in the channel or privately.
    expect(bot.slack.callsOf('chat.postMessage')).toHaveLength(1)
    for (const r of refused) expect(bot.answersTo(r.responseUrl)).toEqual([])
  })

  it('reports the adapter in /healthz while it listens, and not once it has stopped', async () => {
    for (const mode of ['http', 'socket'] as const) {
      const bot = await startSlackBot({ mode })
      expect(bot.app.health().problems).toEqual([])
      expect(bot.app.health().ok).toBe(true)
      await bot.adapter.stop()
      expect(bot.app.health().problems).toContain('adapter slack is not connected')
      expect(bot.app.health().ok).toBe(false)
    }
  })
})
