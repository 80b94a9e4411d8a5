/**
 * Two governance duties that need no user action: a platform event delivered twice (same interaction
 * id) runs nothing the second time, and overdue approval requests expire on a timer, updating their
 * cards even when nobody types.
 */
import { describe, expect, it } from 'vitest'
import { actorOf, approvalIdOf, cardLog, startGovernedChat } from '../helpers/governed-chat.js'
import { plain } from '../helpers/test-chat.js'

describe('redelivered platform events', () => {
  it('the same interaction id creates one approval request and one vote, never two', async () => {
    const chat = await startGovernedChat()
    const ask = () =>
      chat.bot.dispatcher.handle({
        actor: actorOf('alice'),
        text: '/docker restart web-1 nginx-front',
        interactionId: 'evt-1',
      })
    const first = await ask()
    const id = approvalIdOf(first)
    expect(plain(await ask())).toBe('This was already handled.')
    expect((await chat.bot.store.approvals.pending(chat.now())).map((a) => a.id)).toEqual([id])

    const vote = () =>
      chat.bot.dispatcher.press({ actor: actorOf('bob'), token: `${id}:approve`, interactionId: 'evt-2' })
    expect(plain(await vote())).toContain('nginx-front in web-1: restart done')
    expect(plain(await vote())).toBe('This was already handled.')
    expect(await chat.bot.store.jobs.recent('shell:alice', 10)).toHaveLength(1)
  })

  it('an interaction id survives a restart of the bot', async () => {
    const chat = await startGovernedChat()
    const text = '/docker restart web-1 nginx-front'
    await chat.bot.dispatcher.handle({ actor: actorOf('alice'), text, interactionId: 'evt-9' })
    await chat.restart()
    expect(plain(await chat.bot.dispatcher.handle({ actor: actorOf('alice'), text, interactionId: 'evt-9' }))).toBe(
      'This was already handled.',
    )
    expect(await chat.bot.store.approvals.pending(chat.now())).toHaveLength(1)
  })
})

describe('expiry on a timer', () => {
  it('startExpirySweep expires an overdue request and updates its card without any user action', async () => {
    const chat = await startGovernedChat({ rules: { 'docker restart': { ttlMinutes: 1 } } })
    const card = cardLog()
    const ask = await chat.say('alice', '/docker restart web-1 nginx-front', card.status)
    const id = approvalIdOf(ask)
    chat.advance(61_000)
    const stop = chat.bot.governance.startExpirySweep(20)
    try {
      await expect.poll(async () => (await chat.bot.store.approvals.get(id))?.state, { timeout: 2000 }).toBe('expired')
      await expect.poll(() => card.cards.at(-1)?.detail, { timeout: 2000 }).toBe('expired')
    } finally {
      stop()
    }
  })
})
