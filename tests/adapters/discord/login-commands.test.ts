/**
 * Login and command registration with the real discord.js Client against the fake Discord: the gateway
 * handshake (GET /gateway/bot with the bot token, HELLO, IDENTIFY with the Guilds intent, READY), and
 * the application commands registered for the configured server — the same JSON as the golden file,
 * within Discord's limits for names, descriptions and option counts.
 */
import { readFileSync } from 'node:fs'
import { MessageFlags } from 'discord.js'
import { describe, expect, it } from 'vitest'
import { applicationCommands } from '../../../adapters/discord/command-json.js'
import { commands } from '../../../commands/index.js'
import { startDiscordChat } from '../../helpers/discord-chat.js'
import { snowflake } from '../../helpers/fake-discord/fake-discord.js'
import { chatInput, sub } from '../../helpers/fake-discord/fake-interactions.js'

const GOLDEN = JSON.parse(
  readFileSync(new URL('./golden/application-commands.json', import.meta.url), 'utf8'),
) as unknown[]

interface JsonOption {
  type: number
  name: string
  description: string
  required?: boolean
  choices?: { name: string; value: string }[]
  options?: JsonOption[]
}
interface JsonCommand {
  type: number
  name: string
  description: string
  default_member_permissions?: string
  options?: JsonOption[]
}

/** Every rule Discord applies to chat-input command JSON that this bot's commands could break. */
function limitProblems(list: readonly JsonCommand[]): string[] {
  const problems: string[] = []
  const name = /^[-_\p{Ll}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u
  const check = (where: string, item: { name: string; description: string }) => {
    if (!name.test(item.name)) problems.push(`${where}: name "${item.name}"`)
    if (item.description.length < 1 || item.description.length > 100) problems.push(`${where}: description length`)
  }
  let chars = 0
  const count = (item: { name: string; description: string; choices?: { name: string; value: string }[] }) => {
    chars += item.name.length + item.description.length
    for (const c of item.choices ?? []) chars += c.name.length + c.value.length
  }
  const walk = (where: string, options: readonly JsonOption[]) => {
    if (options.length > 25) problems.push(`${where}: ${options.length} options (max 25)`)
    const firstOptional = options.findIndex((o) => o.type > 2 && !o.required)
    if (firstOptional >= 0 && options.slice(firstOptional).some((o) => o.type > 2 && o.required)) {
      problems.push(`${where}: a required option after an optional one`)
    }
    for (const option of options) {
      check(`${where} ${option.name}`, option)
      count(option)
      if ((option.choices ?? []).length > 25) problems.push(`${where} ${option.name}: more than 25 choices`)
      walk(`${where} ${option.name}`, option.options ?? [])
    }
  }
  if (list.length > 100) problems.push('more than 100 commands')
  for (const command of list) {
    chars = 0
    check(`/${command.name}`, command)
    count(command)
    walk(`/${command.name}`, command.options ?? [])
    if (chars > 4000) problems.push(`/${command.name}: ${chars} characters (max 4000)`)
    if (command.default_member_permissions === undefined)
      problems.push(`/${command.name}: no default_member_permissions`)
  }
  return problems
}

describe('Discord login and commands', () => {
  it('logs in through HELLO / IDENTIFY / READY and registers the golden command JSON for the server', async () => {
    const { fake, bot } = await startDiscordChat()
    expect(bot.connected()).toBe(true)
    const gatewayLookup = fake.requests.find((r) => r.path === '/gateway/bot')
    expect(gatewayLookup?.auth).toBe(`Bot ${fake.token}`)
    expect(fake.gateway.identifies).toHaveLength(1)
    expect(fake.gateway.identifies[0]).toMatchObject({ token: fake.token, intents: 1 })

    const registered = fake.registered.get(fake.guildId)
    expect(registered).toEqual(GOLDEN)
    expect(fake.registered.has('global')).toBe(false)
    expect(bot.registered).toEqual(GOLDEN)
  })

  it('registers once for every server when the scope is global, and answers only in the configured servers', async () => {
    const discord = await startDiscordChat({ commandScope: 'global' })
    const { fake, users } = discord
    expect(fake.registered.get('global')).toEqual(GOLDEN)
    expect(fake.registered.has(fake.guildId)).toBe(false)

    const elsewhere = chatInput(fake, users.alice, 'docker', [sub('vms', [])], snowflake())
    const answer = await discord.callback(elsewhere)
    expect(answer.body).toMatchObject({ type: 4, data: { flags: MessageFlags.Ephemeral } })
    expect(JSON.stringify(answer.body)).toContain('only in the servers it is configured for')
    expect(fake.byToken(elsewhere.token)).toHaveLength(1)
  })

  it('the golden file is what the command definitions generate, within Discord limits', () => {
    expect(applicationCommands(commands, '32')).toEqual(GOLDEN)
    expect(limitProblems(GOLDEN as JsonCommand[])).toEqual([])
    const names = (GOLDEN as JsonCommand[]).map((c) => c.name)
    expect(names).toEqual(['docker', 'xen'])
    // Every command is reachable: one subcommand per command definition.
    const subcommands = (GOLDEN as JsonCommand[]).flatMap((c) => (c.options ?? []).map((o) => `${c.name} ${o.name}`))
    expect(subcommands.sort()).toEqual(commands.map((c) => c.path).sort())
  })

  it('the limit check catches what Discord would refuse (so its green above means something)', () => {
    const long = 'x'.repeat(101)
    const tooMany = Array.from({ length: 26 }, (_, i) => ({ type: 3, name: `o${i}`, description: 'd' }))
    expect(
      limitProblems([
        { type: 1, name: 'Docker', description: 'd', default_member_permissions: '32' },
        { type: 1, name: 'ok', description: long, default_member_permissions: '32' },
        { type: 1, name: 'many', description: 'd', default_member_permissions: '32', options: tooMany },
        {
          type: 1,
          name: 'order',
          description: 'd',
          options: [
            { type: 3, name: 'a', description: 'd', required: false },
            { type: 3, name: 'b', description: 'd', required: true },
          ],
        },
      ]),
    ).toEqual([
      '/Docker: name "Docker"',
      '/ok: description length',
      '/many: 26 options (max 25)',
      '/order: a required option after an optional one',
      '/order: no default_member_permissions',
    ])
  })
})
