/**
 * Live cards under Slack's rate limits, end to end: a confirmed restart runs as a job whose card is
 * posted once and edited in place; the first chat.update is answered 429 with Retry-After, the adapter
 * waits it out (states arriving meanwhile replace the pending edit), and the final state still lands.
 */
import { describe, expect, it } from 'vitest'
import { expectWithinLimits, startSlackBot, textOf } from './slack-bot.js'

describe('live cards and rate limits', () => {
  it('waits out a 429 on chat.update and still shows the final state', async () => {
    const bot = await startSlackBot()
    const { payload } = await bot.command('alice', '/docker restart web-1 nginx-front')
    // Destructive without an approval rule: a private confirmation first.
    const prompt = await bot.slack.until(
      () => bot.answersTo(payload.response_url).find((r) => textOf(r.body.blocks as unknown[]).includes('Confirm')),
      'the confirmation',
    )
    expect(prompt.body.response_type).toBe('ephemeral')

    bot.slack.rateLimitNext('chat.update', 1, 1)
    await bot.pressEphemeral('alice', prompt, 'Confirm')
    const card = await bot.slack.until(
      () => bot.posted().find((m) => textOf(m.blocks).includes('(job ')),
      'the job card',
    )
    // The final state: the command's answer above the job's finished card.
    await bot.slack.until(() => textOf(card.blocks).includes('backend xscontainer') && card, 'the final state', 20_000)
    const updates = bot.slack.callsOf('chat.update')
    expect(updates[0]?.status).toBe(429)
    expect(updates.slice(1).every((u) => u.status === 200 && u.params.ts === card.ts)).toBe(true)
    // Waited and retried, not hammered: a handful of edits for a two-step job.
    expect(updates.length).toBeLessThanOrEqual(5)
    const final = textOf(card.blocks)
    expect(final).toMatch(/✅ \*restart nginx-front .*\(job \w+\)\* — succeeded/)
    expect(final).toContain('nginx-front in web-1: restart done')
    // The answered prompt was removed; the card went to the channel.
    expect(bot.slack.responses.some((r) => r.body.delete_original === true)).toBe(true)
    expectWithinLimits(bot.slack)
  })
})
