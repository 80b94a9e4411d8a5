/**
 * A job that outlives its interaction token keeps its card moving: Discord ends the token after 15
 * minutes, so the card (a public message) is then edited in the channel with the bot token, and the
 * result posted there too. Two ways there: the fake ends the token early (the adapter meets 401/50027
 * once, and switches), and the adapter's clock passing 14 minutes (it switches before Discord refuses).
 */
import { describe, expect, it } from 'vitest'
import { startDiscordChat, textOf } from '../../helpers/discord-chat.js'
import type { Recorded } from '../../helpers/fake-discord/fake-discord.js'
import { chatInput, opt, sub } from '../../helpers/fake-discord/fake-interactions.js'

const HUNG = 'xscontainer.start'

async function startLongJob() {
  const discord = await startDiscordChat({ rules: {}, editIntervalMs: 0 })
  const { fake, chat, users } = discord
  chat.simPool('lab-legacy').faults.hang(HUNG)
  const start = chatInput(fake, users.alice, 'docker', [
    sub('start', [opt('vm', 'web-1'), opt('container', 'nightly-report')]),
  ])
  // The card shows the start step running: the job now waits on the hung plugin call.
  const running = await discord.next(
    (r) => r.method === 'PATCH' && r.path.includes(start.token) && JSON.stringify(r.body).includes('⏳ start'),
    'the card with the step running',
  )
  return { discord, start, running, release: () => chat.simPool('lab-legacy').faults.release(HUNG) }
}

const channelWrites = (requests: readonly Recorded[], channel: string, after: number) =>
  requests.filter((r) => r.seq > after && r.path.startsWith(`/channels/${channel}/messages`))

describe('Discord live cards past the interaction token', () => {
  it('moves to the channel route when Discord says the token is gone, and stops using the token', async () => {
    const { discord, start, running, release } = await startLongJob()
    const { fake } = discord
    const card = discord.original(start)
    fake.expireToken(start.token)
    release()

    const result = await discord.next(
      (r) => r.method === 'POST' && r.path === `/channels/${fake.channelId}/messages`,
      'the result posted in the channel',
    )
    expect(JSON.stringify(result.body)).toContain('nightly-report in web-1: start done')
    expect(result.auth).toBe(`Bot ${fake.token}`)
    expect(result.body).toMatchObject({ allowed_mentions: { parse: [] } })

    const edits = channelWrites(fake.requests, fake.channelId, running.seq).filter((r) => r.method === 'PATCH')
    expect(edits.length).toBeGreaterThanOrEqual(1)
    for (const edit of edits) {
      expect(edit.path).toBe(`/channels/${fake.channelId}/messages/${card.id}`)
      expect(edit.auth).toBe(`Bot ${fake.token}`)
      expect(edit.status).toBe(200)
    }
    expect(textOf(card)).toContain('succeeded')
    expect(textOf(card)).toContain('✅ start nightly-report in web-1')
    // One refused token request, then none: no storm of invalid requests.
    const refused = fake.byToken(start.token).filter((r) => r.status === 401)
    expect(refused).toHaveLength(1)
    expect(fake.byToken(start.token).filter((r) => r.seq > (refused[0]?.seq ?? 0))).toEqual([])
  })

  it('moves to the channel route by itself after 14 minutes, before Discord refuses anything', async () => {
    const { discord, start, running, release } = await startLongJob()
    const { fake } = discord
    const card = discord.original(start)
    discord.advance(14 * 60_000)
    release()

    await discord.next(
      (r) => r.method === 'POST' && r.path === `/channels/${fake.channelId}/messages`,
      'the result posted in the channel',
    )
    expect(fake.byToken(start.token).filter((r) => r.seq > running.seq)).toEqual([])
    const edits = channelWrites(fake.requests, fake.channelId, running.seq).filter((r) => r.method === 'PATCH')
    expect(edits.length).toBeGreaterThanOrEqual(1)
    expect(edits.every((r) => r.path.endsWith(`/messages/${card.id}`) && r.status === 200)).toBe(true)
    expect(textOf(card)).toContain('succeeded')
  })
})
