/**
 * Issue #13, hostile names: VM, container and label names carrying `<!channel>`, `@everyone`, `<@U…>`,
 * Markdown, ANSI escapes, direction overrides and zero-width characters render inert on all three
 * adapters. One table of names × one table of platforms, through each adapter's real renderer (Slack
 * Block Kit, Discord embeds with allowed_mentions, the terminal's text) for every place a name can be
 * shown — text of each style, a heading, fields, a table and its note, a context line, a button, a job
 * card, a form's labels, hints and options. Then once per platform end to end: a VM renamed and a
 * container reported with hostile names by the simulated pool, listed through the real bolt App, the
 * real discord.js Client and the terminal chat. What "inert" means per platform is in inert-text.ts.
 */
import { describe, expect, it } from 'vitest'
import { replyOptions } from '../../adapters/discord/message-payload.js'
import { renderReply as renderDiscord, renderStatus } from '../../adapters/discord/render-message.js'
import { modalFor } from '../../adapters/discord/render-modal.js'
import { renderForm } from '../../adapters/shell/render-form.js'
import { renderStatusCard, renderReply as renderTerminal } from '../../adapters/shell/render-text.js'
import { cardToMessage, replyToMessage } from '../../adapters/slack/to-blocks.js'
import { formToView } from '../../adapters/slack/to-modal.js'
import {
  actions,
  channelReply,
  context,
  type Form,
  fields,
  type Reply,
  type StatusCard,
  table,
  text,
} from '../../src/core/reply.js'
import type { Simulator } from '../../src/sim/simulator.js'
import { setOtherConfigKey } from '../../src/sim/xscontainer/docker-calls.js'
import { dockerPsXml } from '../../src/sim/xscontainer/docker-ps.js'
import { startSlackBot } from '../adapters/slack/slack-bot.js'
import { startDiscordChat } from '../helpers/discord-chat.js'
import { chatInput, opt, sub } from '../helpers/fake-discord/fake-interactions.js'
import { startGovernedChat } from '../helpers/governed-chat.js'
import { scriptedShell } from '../helpers/shell-script.js'
import { simDaemon } from '../helpers/test-chat.js'
import { refOf, waitFor } from '../helpers/xen.js'
import { discordProblems, slackProblems, terminalProblems } from './inert-text.js'

/** Each hostile name, and a word of it that must still be shown (inert is not the same as dropped). */
const NAMES = [
  {
    kind: 'broadcasts and mentions',
    name: '<!channel> <!here|here> @everyone @here <@U0BOSS> <@123456789012345678> <@&987654321098765432> <#C0GENERAL>',
    shows: 'everyone',
  },
  {
    kind: 'Markdown and links',
    name: '**bold** *it* _it_ ~~strike~~ `tick` ```fence``` ||spoiler|| [docs](https://evil.example) <https://evil.example|docs>\n# head\n> quote',
    shows: 'docs',
  },
  {
    kind: 'ANSI escapes and other controls',
    name: 'red\u001b[31m\u001b[2J\u001b]0;owned\u0007 back\rover\u0008\u009b1m bell\u0007',
    shows: 'owned',
  },
  {
    kind: 'zero-width characters hiding mentions',
    name: 'web\u200b-1 @\u200beveryone <\u200b!channel> <\u2060@U0BOSS> \ufeff**\u200dbold**',
    shows: 'channel',
  },
  { kind: 'direction overrides', name: 'abc\u202eevil\u202c \u2066isolate\u2069 \u200fx', shows: 'evil' },
] as const

/** A reply with the name everywhere a reply can show text. */
function replyNaming(name: string): Reply {
  return channelReply(
    text(name, 'heading'),
    text(`${name} in ${name}: restart done`, 'success'),
    text(`there is no container "${name}" in ${name}`, 'error'),
    text(name, 'warning'),
    fields({ [name]: name, VM: name }),
    table(['NAME', 'IMAGE'], [[name, name]], name),
    context(`backend xscontainer · container ${name} · by ${name}`),
    actions({ token: 'k3f9qa:approve', label: name }),
    { kind: 'status', card: cardNaming(name) },
  )
}

function cardNaming(name: string): StatusCard {
  return {
    title: `restart ${name} in ${name} (job 1a2b3c4d)`,
    state: 'failed',
    steps: [
      { label: `restart ${name}`, state: 'failed', detail: name },
      { label: name, state: 'skipped' },
    ],
    detail: name,
  }
}

function formNaming(name: string): Form {
  return {
    token: 'f0rm01',
    title: name,
    submitLabel: 'Create',
    inputs: [
      { kind: 'text', id: 'name', label: name, hint: name, initial: name, placeholder: name },
      {
        kind: 'select',
        id: 'template',
        label: name,
        hint: name,
        options: [
          { value: 'a', label: name },
          { value: 'b', label: `${name} (lab-legacy)` },
        ],
        initial: 'a',
      },
    ],
  }
}

interface Platform {
  readonly platform: string
  /** Everything the adapter would send or print for the reply, the card and the form. */
  render(reply: Reply, card: StatusCard, form: Form): readonly unknown[]
  problems(output: unknown): string[]
}

const PLATFORMS: readonly Platform[] = [
  {
    platform: 'Slack (Block Kit)',
    render: (reply, card, form) => [replyToMessage(reply), cardToMessage(card), formToView(form)],
    problems: slackProblems,
  },
  {
    platform: 'Discord (embeds, allowed_mentions)',
    render: (reply, card, form) => [
      replyOptions(renderDiscord(reply), false),
      replyOptions(renderStatus(card), true),
      modalFor(form, 0),
    ],
    problems: discordProblems,
  },
  {
    platform: 'terminal',
    render: (reply, card, form) => [renderTerminal(reply), renderStatusCard(card).join('\n'), renderForm(form)],
    problems: (output) => terminalProblems(output as string),
  },
]

describe.each(PLATFORMS)('hostile names on $platform', ({ render, problems }) => {
  it.each(NAMES)('$kind render inert, and are still shown', ({ name, shows }) => {
    const outputs = render(replyNaming(name), cardNaming(name), formNaming(name))
    expect(outputs.flatMap((output) => problems(output))).toEqual([])
    for (const output of outputs) expect(JSON.stringify(output)).toContain(shows)
  })
})

describe('the inertness checks themselves', () => {
  it('catch a name left as it is, on each platform', () => {
    const raw = '<!channel> @everyone **bold** [docs](https://evil.example) \u001b[2J'
    expect(slackProblems({ text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: raw } }] })).toEqual([
      expect.stringMatching(/raw < or >/),
      expect.stringMatching(/control character/),
      expect.stringMatching(/without verbatim/),
    ])
    expect(discordProblems({ content: raw, allowed_mentions: { parse: ['everyone'] } })).toEqual([
      expect.stringMatching(/allowed mentions/),
      expect.stringMatching(/control character/),
      expect.stringMatching(/broadcast mention/),
      expect.stringMatching(/mention, channel/),
      expect.stringMatching(/masked link/),
      expect.stringMatching(/emphasis/),
    ])
    // A name that closes the table's fence puts the rest of it back into markdown; a lone backtick is caught too.
    expect(discordProblems({ content: '```\nweb-1 ``` @here\n```' })).toContainEqual(
      expect.stringMatching(/broadcast mention survives/),
    )
    expect(discordProblems({ content: '```\nweb`1\n```' })).toContain('$.content: a backtick inside a fence')
    expect(terminalProblems(`ok\n${raw}`)).toEqual([expect.stringMatching(/^line 2: a control character/)])
  })
})

/** What a hostile guest and a careless VM admin can make a legacy pool report: both are theirs to choose. */
const HOSTILE_VM = NAMES.map((n) => n.name.split('\n')[0]).join(' ')
const HOSTILE_CONTAINER = '@everyone **boss** <!channel>'

/** Renames web-1 (lab-legacy) and has xscontainer report nginx-front under a hostile name; returns the VM's UUID. */
async function hostilePool(sim: Simulator, inventory: { vms(): readonly { name: string; uuid: string }[] }) {
  const pool = sim.pool('lab-legacy').pool
  const ref = refOf(pool, 'VM', 'web-1')
  const uuid = String(pool.store.get('VM', ref).uuid)
  const containers = simDaemon(sim, 'lab-legacy', 'web-1')
    .listContainers({ all: true, size: true })
    .map((c) => (c.Names[0] === '/nginx-front' ? { ...c, Names: [`/${HOSTILE_CONTAINER}`] } : c))
  setOtherConfigKey(pool, ref, 'docker_ps', dockerPsXml(containers))
  pool.store.update('VM', ref, { name_label: HOSTILE_VM })
  await waitFor(
    () => inventory.vms().some((v) => v.uuid === uuid && v.name === HOSTILE_VM),
    10_000,
    'the hostile names in the inventory',
  )
  return uuid
}

describe('hostile names end to end', () => {
  it('Slack, through the real bolt App: the VM and container list is inert in every payload sent', async () => {
    const bot = await startSlackBot()
    const uuid = await hostilePool(bot.sim, bot.app.xen.inventory)
    await bot.command('alice', `/docker ps ${uuid} --all`)
    const listing = await bot.slack.until(
      () => bot.posted().find((m) => JSON.stringify(m.blocks).includes('redis-cache') && m),
      'the container list',
    )
    expect(JSON.stringify(listing.blocks)).toContain('@everyone **boss** &lt;!channel&gt;')
    const sent = [...bot.slack.calls.map((c) => c.params), ...bot.slack.responses.map((r) => r.body)]
    expect(sent.flatMap((payload) => slackProblems(payload))).toEqual([])
    expect(JSON.stringify(sent)).not.toMatch(/<!channel>|<@U0BOSS>|<https:/)
  })

  it('Discord, through the real discord.js Client: the list is inert and no message allows a mention', async () => {
    const discord = await startDiscordChat()
    const { fake, chat, users } = discord
    const uuid = await hostilePool(chat.sim, chat.xen.inventory)
    const ps = chatInput(fake, users.alice, 'docker', [sub('ps', [opt('vm', uuid), opt('all', true)])])
    await discord.next((r) => r.method === 'PATCH' && r.path.includes(ps.token), 'the ps answer')
    const shown = discord.original(ps)
    expect(JSON.stringify(shown.embeds)).toContain('redis-cache')
    expect(shown.allowedMentions).toEqual({ parse: [] })
    const writes = fake.requests.filter((r) => ['POST', 'PATCH'].includes(r.method) && r.path.includes('/messages'))
    expect(writes.length).toBeGreaterThanOrEqual(1)
    expect(writes.flatMap((r) => discordProblems(r.body))).toEqual([])
  })

  it('terminal, through the shell chat: nothing but printable text reaches the screen', async () => {
    const chat = await startGovernedChat()
    const uuid = await hostilePool(chat.sim, chat.xen.inventory)
    const shell = scriptedShell(chat.bot.dispatcher, 'alice')
    const printed = [
      await shell.type(`/docker ps ${uuid} --all`),
      await shell.type('/docker vms lab-legacy'),
      await shell.type(`/docker restart ${uuid} nginx`),
    ].join('\n')
    expect(printed).toContain('redis-cache')
    expect(printed).toContain('owned')
    expect(terminalProblems(printed)).toEqual([])
  })
})
