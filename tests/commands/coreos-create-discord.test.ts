/**
 * `/coreos create` through the Discord adapter (the real discord.js Client against the fake Discord):
 * the nine-input form opens as two modals, the approval card goes to the channel, bob approves with its
 * button, the job builds the CoreOS VM on lab-legacy, and the result carries the IP, the SSH line and a
 * `docker ps` button that answers for the new VM.
 */

import ssh2 from 'ssh2'
import { describe, expect, it } from 'vitest'
import { buttonId, type DiscordChat, startDiscordChat, textOf } from '../helpers/discord-chat.js'
import type { FakeMessage, InteractionState } from '../helpers/fake-discord/fake-discord.js'
import { chatInput, opt, pressButton, sub, submitModal } from '../helpers/fake-discord/fake-interactions.js'

interface Modal {
  custom_id: string
  title: string
  components: { component: { custom_id: string; value?: string; options?: { value: string; default?: boolean }[] } }[]
}

async function modalOf(discord: DiscordChat, interaction: InteractionState): Promise<Modal> {
  const callback = await discord.callback(interaction)
  expect(callback.body).toMatchObject({ type: 9 })
  return (callback.body as { data: Modal }).data
}

/** What the modal shows in each input, as a user who changes nothing would submit it. */
function shown(modal: Modal): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {}
  for (const { component } of modal.components) {
    if (component.options) {
      const chosen = component.options.find((o) => o.default)
      if (chosen) values[component.custom_id] = [chosen.value]
    } else if (component.value !== undefined) values[component.custom_id] = component.value
  }
  return values
}

const messageWith = (discord: DiscordChat, text: string) =>
  [...discord.fake.messages.values()].find((m) => textOf(m).includes(text)) as FakeMessage | undefined

describe('/coreos create through Discord', () => {
  it('two modals, an approval with buttons, the build, and a docker ps button that answers', async () => {
    const discord = await startDiscordChat({
      rules: { 'coreos create': {} },
      editIntervalMs: 0,
      operatorPermissions: ['docker.read', 'docker.operate', 'xen.read', 'vm.create'],
    })
    const { fake, users } = discord
    const key = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'alice@laptop' }).public.trim()

    const first = await modalOf(
      discord,
      chatInput(fake, users.alice, 'coreos', [sub('create', [opt('pool', 'lab-legacy')])]),
    )
    expect(first.title).toBe('Create a Docker VM (1/2)')
    const page1 = submitModal(fake, users.alice, first.custom_id, { ...shown(first), name: 'web-3' })
    await discord.callback(page1)
    const kept = discord.original(page1)
    const second = await modalOf(discord, pressButton(fake, users.alice, buttonId(kept, 'Continue (2 of 2)'), kept))
    expect(second.title).toBe('Create a Docker VM (2/2)')
    // The cloud-config comes prefilled with the plugin's template.
    expect(shown(second).cloudConfig).toMatch(/^#cloud-config\n[\s\S]*%CONTAINERRSAPUB%/)
    const page2 = submitModal(fake, users.alice, second.custom_id, { ...shown(second), sshKey: key })
    await discord.next(
      (r) => r.path.includes(page2.token) && JSON.stringify(r.body).includes('asks to create'),
      'the approval card',
    )
    const card = messageWith(discord, 'asks to create VM web-3') as FakeMessage
    expect(card.flags & 64).toBe(0)

    pressButton(fake, users.bob, buttonId(card, 'Approve'), card)
    // The result lands on the approval card (Discord escapes the @ of the SSH line and the IP's first dot).
    await discord.next((r) => JSON.stringify(r.body ?? '').includes('**SSH**'), 'the built VM')
    const result = messageWith(discord, '**SSH**') as FakeMessage
    expect(textOf(result)).toContain('web-3 is up and Docker answers (xscontainer).')
    expect(textOf(result)).toMatch(/\*\*SSH\*\*: ssh core\\\\@10\.10\.0\.\d+/)

    const ps = pressButton(fake, users.alice, buttonId(result, 'docker ps'), result)
    await discord.next(
      (r) => r.path.includes(ps.token) && JSON.stringify(r.body).includes('has no containers'),
      'the docker ps answer',
    )
    expect(messageWith(discord, 'web-3 has no containers.')).toBeDefined()
  })
})
