/**
 * What `/coreos create` refuses, and that a refusal creates nothing: an invalid key, a private key (with
 * the advice to rotate it, and the key kept out of the audit log), broken YAML, a cloud-config without
 * the xscontainer entry, a duplicate name — each a plain message on its input, the pool's records
 * unchanged and no approval requested. The pickers offer only the pools the asker may create VMs in.
 */
import ssh2 from 'ssh2'
import { describe, expect, it } from 'vitest'
import type { Reply, SubmitOutcome } from '../../src/core/reply.js'
import { filledIn, records, startCoreosChat } from '../helpers/coreos-chat.js'
import { plain } from '../helpers/test-chat.js'

const formOf = (reply: Reply) => {
  if (!reply.form) throw new Error(`no form in: ${plain(reply)}`)
  return reply.form
}

const errorsOf = (outcome: SubmitOutcome) => {
  if (outcome.kind !== 'invalid') throw new Error(`expected the form back, got ${JSON.stringify(outcome)}`)
  return outcome.errors
}

describe('/coreos create refuses, in plain words, and creates nothing', () => {
  it('refuses a bad key, a private key, broken YAML, a missing xscontainer entry and a taken name', async () => {
    const chat = await startCoreosChat()
    const pool = chat.simPool('lab-legacy')
    const before = records(pool)
    const form = formOf(await chat.say('alice', '/coreos create --pool lab-legacy'))
    const submit = (overrides: Record<string, string>) =>
      chat.submit('alice', form.token, filledIn(form, { name: 'web-3', sshKey: chat.key.public, ...overrides }))

    expect(errorsOf(await submit({ sshKey: 'ssh-ed25519 AAAAnot-a-key alice@laptop' }))).toEqual({
      sshKey: expect.stringMatching(/^that is not an SSH public key ssh2 can read/),
    })

    const privateKey = ssh2.utils.generateKeyPairSync('ed25519').private
    const refused = errorsOf(await submit({ sshKey: privateKey }))
    expect(Object.keys(refused)).toEqual(['sshKey'])
    expect(refused.sshKey).toMatch(/PRIVATE key: never paste it anywhere\. Treat it as leaked/)

    const broken = '#cloud-config\nssh_authorized_keys:\n  - ssh-rsa %XSCONTAINERRSAPUB%\nusers: [\n  name: x\n'
    expect(errorsOf(await submit({ cloudConfig: broken }))).toEqual({
      cloudConfig: expect.stringMatching(/^the cloud-config is not valid YAML at line \d+, column \d+/),
    })

    expect(errorsOf(await submit({ cloudConfig: '#cloud-config\nhostname: web-3\n' }))).toEqual({
      cloudConfig: expect.stringContaining('keep the line "- ssh-rsa %XSCONTAINERRSAPUB%"'),
    })

    expect(errorsOf(await submit({ name: 'web-1' }))).toEqual({
      name: 'a VM named web-1 already exists in pool lab-legacy; pick another name',
    })

    // Nothing was created, nothing waits for an approval, and the private key reached no record.
    expect(records(pool)).toEqual(before)
    expect(await chat.bot.store.approvals.pending(chat.now())).toEqual([])
    const audit = JSON.stringify(await chat.audit())
    expect(audit).not.toContain(privateKey.split('\n')[1])
  })

  it('offers only the pools the asker may create VMs in, and no form at all without the right', async () => {
    const chat = await startCoreosChat()
    const dave = formOf(await chat.say('dave', '/coreos create'))
    const pools = dave.inputs.find((i) => i.id === 'pool')
    expect(pools?.kind === 'select' ? pools.options.map((o) => o.value) : []).toEqual(['lab-modern'])
    const templates = dave.inputs.find((i) => i.id === 'template')
    expect(templates?.kind === 'select' ? templates.options.map((o) => o.label).sort() : []).toEqual([
      'Flatcar Container Linux',
      'Ubuntu 24.04 cloud-init',
    ])
    // dave cannot point a submission at the other pool.
    const outcome = await chat.submit(
      'dave',
      dave.token,
      filledIn(dave, { name: 'x-1', pool: 'lab-legacy', sshKey: chat.key.public }),
    )
    expect(outcome.kind === 'reply' ? plain(outcome.reply) : JSON.stringify(outcome)).toBe(
      'you need the vm.create permission on pool lab-legacy for that; ask an admin to grant it',
    )
    const eve = await chat.say('eve', '/coreos create')
    expect(eve.form).toBeUndefined()
    expect(plain(eve)).toMatch(/you need the vm.create permission/)
  })
})
