/**
 * The Discord alert sink over the real discord.js REST client: a post that meets a 429 is waited out
 * and delivered once; an update edits the same message; refusals retrying cannot fix (403, a channel not
 * configured for alerts) become AlertSinkRefused and are not retried.
 */
import { describe, expect, it } from 'vitest'
import { AlertSinkRefused } from '../../../src/core/alert-sink.js'
import { channelReply, context, text } from '../../../src/core/reply.js'
import { startDiscordChat, textOf } from '../../helpers/discord-chat.js'

const alert = (what: string) =>
  channelReply(text(`nginx-front in web-1 ${what}`, 'error'), context('lab-legacy · @everyone should not be pinged'))

describe('Discord alert sink', () => {
  it('waits out a 429 on a channel post, then edits the posted alert in place', async () => {
    const { fake, bot } = await startDiscordChat()
    fake.rateLimitPosts = { count: 1, retryAfter: 1 }
    const posted = await bot.alertSink.post(fake.alertChannelId, alert('exited (137)'))

    const posts = fake.requests.filter(
      (r) => r.method === 'POST' && r.path === `/channels/${fake.alertChannelId}/messages`,
    )
    expect(posts.map((r) => r.status)).toEqual([429, 200])
    expect(posts.every((r) => r.auth === `Bot ${fake.token}`)).toBe(true)
    expect(posted).toEqual({
      destination: { platform: 'discord', channel: fake.alertChannelId },
      messageId: expect.any(String),
    })
    const message = fake.messages.get(posted.messageId)
    expect(message && textOf(message)).toContain('exited (137)')
    expect(message?.allowedMentions).toEqual({ parse: [] })

    await bot.alertSink.update(posted, alert('is running again'))
    expect(message && textOf(message)).toContain('is running again')
    expect([...fake.messages.values()].filter((m) => m.channel_id === fake.alertChannelId)).toHaveLength(1)
  })

  it('refuses a channel it may not post in (403) and one not configured, without retrying', async () => {
    const { fake, bot } = await startDiscordChat()
    fake.forbiddenChannels.add(fake.alertChannelId)
    const forbidden = await bot.alertSink.post(fake.alertChannelId, alert('exited')).catch((e: unknown) => e)
    expect(forbidden).toBeInstanceOf(AlertSinkRefused)
    expect((forbidden as Error).message).toMatch(/403.*Send Messages/)
    expect(fake.requests.filter((r) => r.path === `/channels/${fake.alertChannelId}/messages`)).toHaveLength(1)

    const elsewhere = await bot.alertSink.post(fake.channelId, alert('exited')).catch((e: unknown) => e)
    expect(elsewhere).toBeInstanceOf(AlertSinkRefused)
    expect((elsewhere as Error).message).toContain('not in platforms.discord.alertChannels')
    expect(fake.requests.filter((r) => r.path.startsWith(`/channels/${fake.channelId}`))).toEqual([])
  })
})
