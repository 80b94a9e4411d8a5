/**
 * Slash commands through the real discord.js Client: the interaction is deferred at once — while the
 * simulated pool hangs on the plugin call the command needs — and answered by editing the thinking
 * message once the pool answers. Names a guest controls are inert: a container named `@everyone` (or
 * `<@id>`, or markdown) never pings and never renders as a mention, and no message allows mentions.
 */

import { MessageFlags } from 'discord.js'
import { describe, expect, it } from 'vitest'
import { setOtherConfigKey } from '../../../src/sim/xscontainer/docker-calls.js'
import { dockerPsXml } from '../../../src/sim/xscontainer/docker-ps.js'
import { startDiscordChat, textOf } from '../../helpers/discord-chat.js'
import type { FakeMessage, Recorded } from '../../helpers/fake-discord/fake-discord.js'
import { chatInput, opt, sub } from '../../helpers/fake-discord/fake-interactions.js'
import { waitFor } from '../../helpers/xen.js'

const writesMessage = (r: Recorded) =>
  (r.method === 'PATCH' || r.method === 'POST') && (r.path.startsWith('/webhooks/') || r.path.startsWith('/channels/'))

/** `@everyone`, `@here` or a mention outside code blocks and not escaped with a backslash. */
function liveMentions(text: string): string[] {
  const outsideCode = text.replace(/```[\s\S]*?```/g, '')
  return [...outsideCode.matchAll(/(?<!\\)(@everyone|@here|<@[!&]?\d+>)/g)].map((m) => m[0])
}

const descriptionOf = (message: FakeMessage) =>
  (message.embeds as { title?: string; description?: string; footer?: { text: string } }[])
    .map((e) => [e.title ?? '', e.description ?? ''].join('\n'))
    .join('\n')

describe('Discord slash commands', () => {
  it('defers at once while the pool hangs, then edits the answer in when it responds', async () => {
    const discord = await startDiscordChat()
    const { fake, chat, users } = discord
    const faults = chat.simPool('lab-legacy').faults
    faults.hang('xscontainer.get_inspect')
    const interaction = chatInput(fake, users.alice, 'docker', [
      sub('inspect', [opt('vm', 'web-1'), opt('container', 'nginx-front')]),
    ])
    const deferral = await discord.callback(interaction)
    expect(deferral.body).toMatchObject({ type: 5 })
    // Public: a result for the channel. Decided before deferring, so no ephemeral flag.
    expect(((deferral.body as { data?: { flags?: number } }).data?.flags ?? 0) & MessageFlags.Ephemeral).toBe(0)
    expect(deferral.status).toBe(204)
    // The pool has not answered: nothing but the deferral went out.
    expect(fake.byToken(interaction.token)).toHaveLength(1)
    expect(discord.original(interaction).thinking).toBe(true)

    faults.release()
    const answer = await discord.next(
      (r) => r.method === 'PATCH' && r.path.endsWith(`/${interaction.token}/messages/@original`),
      'the edited answer',
    )
    expect(answer.seq).toBeGreaterThan(deferral.seq)
    const message = discord.original(interaction)
    expect(message.thinking).toBe(false)
    expect(descriptionOf(message)).toContain('nginx-front')
    expect(textOf(message)).toMatch(/Restart count/)
    expect(message.allowedMentions).toEqual({ parse: [] })
  })

  it('renders a container named @everyone (and other hostile names) inert, with no mentions allowed', async () => {
    const discord = await startDiscordChat()
    const { fake, chat, users } = discord
    const pool = chat.simPool('lab-legacy')
    const vmRef = pool.store.find('VM', (r) => r.name_label === 'web-1')[0] as string
    const hostile = ['@everyone', `<@${users.bob.id}>`, '**bold**`tick']
    const containers = chat.daemon('lab-legacy', 'web-1').listContainers({ all: true, size: true })
    const renamed = containers.map((c, i) => (i < hostile.length ? { ...c, Names: [`/${hostile[i]}`] } : c))
    setOtherConfigKey(pool, vmRef, 'docker_ps', dockerPsXml(renamed))
    await waitFor(() =>
      chat.xen.inventory
        .vms()
        .some((vm) => vm.name === 'web-1' && vm.docker.containers?.some((c) => c.name === '@everyone')),
    )

    const ps = chatInput(fake, users.alice, 'docker', [sub('ps', [opt('vm', 'web-1'), opt('all', true)])])
    await discord.next((r) => r.method === 'PATCH' && r.path.includes(ps.token), 'the ps answer')
    const table = discord.original(ps)
    expect(descriptionOf(table)).toContain('@everyone')
    expect(liveMentions(descriptionOf(table))).toEqual([])
    expect(descriptionOf(table)).not.toMatch(/```[^`]*`tick/)

    const inspect = chatInput(fake, users.alice, 'docker', [
      sub('inspect', [opt('vm', 'web-1'), opt('container', '@everyone')]),
    ])
    await discord.next((r) => r.method === 'PATCH' && r.path.includes(inspect.token), 'the inspect answer')
    const facts = descriptionOf(discord.original(inspect))
    expect(facts).toContain('\\@everyone')
    expect(liveMentions(facts)).toEqual([])

    // Every message the bot wrote allowed no mentions at all.
    const writes = fake.requests.filter(writesMessage)
    expect(writes.length).toBeGreaterThanOrEqual(2)
    for (const write of writes)
      expect((write.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [] })
  })

  it('answers a user without rights privately, decided before deferring', async () => {
    const discord = await startDiscordChat()
    const interaction = chatInput(discord.fake, discord.users.eve, 'docker', [sub('ps', [opt('vm', 'web-1')])])
    const deferral = await discord.callback(interaction)
    expect((deferral.body as { data?: { flags?: number } }).data?.flags).toBe(MessageFlags.Ephemeral)
    await discord.next((r) => r.method === 'PATCH' && r.path.includes(interaction.token), 'the denial')
    const message = discord.original(interaction)
    expect(message.flags).toBe(MessageFlags.Ephemeral)
    expect(textOf(message)).toMatch(/docker\.read permission/)
  })
})
