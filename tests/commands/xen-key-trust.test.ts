/**
 * The bot's SSH identity in chat: `/xen key` shows its public line; after a VM's host key changed, the
 * refusal names the new fingerprint, and `/xen trust <vm> <fingerprint>` — an admin's, confirmed —
 * pins the new key only if the VM presents exactly that one.
 */
import { describe, expect, it } from 'vitest'
import type { Reply } from '../../src/core/reply.js'
import { type GovernedChat, startGovernedChat } from '../helpers/governed-chat.js'
import { fingerprintOf } from '../helpers/ssh-client.js'
import { fieldsOf, plain } from '../helpers/test-chat.js'
import { enable, guestOf, ONE_TIME_PASSWORD, setupScenario } from './setup-scenario.js'

const confirmToken = (reply: Reply) =>
  reply.blocks.flatMap((b) => (b.kind === 'actions' ? b.actions : [])).find((a) => a.label === 'Confirm')?.token ??
  expect.fail(`no Confirm button: ${plain(reply)}`)

async function confirmed(chat: GovernedChat, text: string): Promise<Reply> {
  return chat.press('ada', confirmToken(await chat.say('ada', text)))
}

describe('/xen key', () => {
  it("shows the bot's public key line and fingerprint to readers, and nothing to others", async () => {
    const chat = await startGovernedChat()
    const reply = await chat.say('alice', '/xen key')
    expect(fieldsOf(reply)).toMatchObject({
      'Public key': chat.identity.publicLine,
      Fingerprint: chat.identity.fingerprint,
    })
    expect(plain(reply)).not.toContain('PRIVATE KEY')
    expect(plain(await chat.say('eve', '/xen key'))).not.toContain(chat.identity.publicLine)
  })
})

describe('/xen trust', () => {
  it('after a host key change, pins the new key once an admin gives its fingerprint', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    await enable(chat, 'app-server', { user: 'ops', auth: 'password', password: ONE_TIME_PASSWORD })
    const guest = guestOf(chat.sim, 'lab-modern', 'app-server')
    guest.changeHostKey()
    chat.sim.guestSsh.serverOf('lab-modern', 'app-server').dropConnections()
    const fresh = fingerprintOf(Buffer.from(guest.hostKey.public.split(' ')[1] ?? '', 'base64'))

    const refused = plain(await chat.say('alice', '/docker ps app-server'))
    expect(refused).toContain(`It now presents ${fresh}`)
    expect(refused).toContain(`/xen trust app-server ${fresh}`)

    expect(plain(await chat.say('alice', `/xen trust app-server ${fresh}`))).toMatch(/not allowed|may not|permission/i)
    const wrong = `SHA256:${'A'.repeat(43)}`
    expect(plain(await confirmed(chat, `/xen trust app-server ${wrong}`))).toContain(
      `app-server presents ${fresh}, not ${wrong}; nothing was changed`,
    )
    const trusted = await confirmed(chat, `/xen trust app-server ${fresh}`)
    expect(plain(trusted)).toContain('app-server: its SSH host key is trusted again')
    expect(fieldsOf(trusted)).toMatchObject({ Now: fresh, By: 'ada' })
    expect(
      await chat.hostKeys.get(chat.xen.inventory.vms().find((v) => v.name === 'app-server')?.uuid ?? ''),
    ).toMatchObject({
      fingerprint: fresh,
      pinnedBy: 'shell:ada',
    })
    expect(plain(await chat.say('alice', '/docker ps app-server'))).toContain('api')
  })

  it('refuses what is not a fingerprint before connecting anywhere', async () => {
    const chat = await startGovernedChat({ scenario: setupScenario(), rules: {} })
    for (const bad of ['SHA256:short', 'MD5:aa:bb', '$(id)', 'SHA256:`id`']) {
      expect(plain(await chat.say('ada', `/xen trust app-server "${bad}"`))).toContain(
        'a fingerprint as ssh-keygen -lf prints it',
      )
    }
    expect(chat.sim.guestSsh.serverOf('lab-modern', 'app-server').connections).toBe(0)
  })
})
