/**
 * `/coreos create` through the Slack adapter (the real bolt App against the fake Slack, the bot wired
 * as production wires it): the form opens as a modal with the pool's pickers and the plugin's
 * cloud-config, the submission puts an approval card in the channel, bob approves with its button, the
 * job builds the CoreOS VM on lab-legacy, and the result carries the SSH line and a `docker ps` button.
 */
import ssh2 from 'ssh2'
import { describe, expect, it } from 'vitest'
import { expectWithinLimits, startSlackBot, textOf } from '../adapters/slack/slack-bot.js'
import type { SubmittedValue } from '../adapters/slack/slack-payloads.js'

interface Block {
  readonly block_id: string
  readonly element: {
    readonly type: string
    readonly initial_value?: string
    readonly initial_option?: { readonly value: string }
  }
}

/** What the modal holds in each input, as a user who changes nothing would submit it. */
function shown(blocks: readonly Block[]): Record<string, SubmittedValue> {
  const values: Record<string, SubmittedValue> = {}
  for (const { block_id, element } of blocks) {
    if (element.initial_option) values[block_id] = { option: element.initial_option.value }
    else if (element.initial_value !== undefined) values[block_id] = element.initial_value
  }
  return values
}

describe('/coreos create through Slack', () => {
  it('a modal, an approval card, the build, and a docker ps button that answers', async () => {
    const bot = await startSlackBot({
      rules: { 'coreos create': {} },
      operatorPermissions: ['docker.read', 'docker.operate', 'xen.read', 'vm.create'],
    })
    const key = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'alice@laptop' }).public.trim()
    await bot.command('alice', '/coreos create --pool lab-legacy')
    const call = await bot.slack.until(() => bot.slack.callsOf('views.open')[0], 'views.open')
    const view = call.result.view as Record<string, unknown>
    const blocks = view.blocks as Block[]
    expect(blocks.map((b) => b.block_id)).toEqual([
      'name',
      'pool',
      'template',
      'iso',
      'sr',
      'network',
      'sshKey',
      'cloudConfig',
      'start',
    ])
    expect(String(shown(blocks).cloudConfig)).toMatch(/^#cloud-config\n[\s\S]*%CONTAINERRSAPUB%/)

    const answer = await bot.submit('alice', String(view.id), { ...shown(blocks), name: 'web-3', sshKey: key })
    expect(answer).toEqual({})
    const card = await bot.slack.until(
      () => bot.posted().find((m) => textOf(m.blocks).includes('alice asks to create VM web-3')),
      'the approval card',
    )
    await bot.pressIn('bob', card, 'Approve')
    const result = await bot.slack.until(
      () => bot.posted().find((m) => /ssh core@10\.10\.0\.\d+/.test(textOf(m.blocks))),
      'the built VM',
      20_000,
    )
    expect(textOf(result.blocks)).toContain('web-3 is up and Docker answers (xscontainer).')

    await bot.pressIn('alice', result, 'docker ps')
    await bot.slack.until(
      () =>
        [...bot.posted(), ...bot.slack.responses.map((r) => ({ blocks: r.body.blocks as unknown[] }))].find((m) =>
          textOf(m.blocks).includes('web-3 has no containers.'),
        ),
      'the docker ps answer',
    )
    expectWithinLimits(bot.slack)
  })
})
