/**
 * The Discord adapter end to end: the real discord.js Client (started by adapters/discord) against the
 * fake Discord on 127.0.0.1, over the governed chat (real dispatcher, governance, SQLite store, Xen
 * layer) and the simulated demo pools. Users and who may do what:
 *
 * - alice holds the `operators` server role, which maps to the operator role (through Actor.groups);
 * - bob is an approver by user id; carol may read lab-modern only; eve has no role.
 *
 * The adapter's clock can be moved forward (the 14-minute switch to the channel route).
 *
 * Teardown: this module imports governed-chat first, so its afterEach runs after ours: the client is
 * destroyed and the fake closed before the stores close and the simulator stops.
 */
import { afterEach } from 'vitest'
import { type DiscordBot, startDiscordBot } from '../../adapters/discord/discord-bot.js'
import { commands } from '../../commands/index.js'
import { accessSchema } from '../../src/core/access.js'
import type { AnyCommand } from '../../src/core/command.js'
import { createSuggestions } from '../../src/core/suggestions.js'
import { createLogger, silentLog } from '../../src/log.js'
import {
  FakeDiscord,
  type FakeMessage,
  type FakeUser,
  type InteractionState,
  type Recorded,
  snowflake,
} from './fake-discord/fake-discord.js'
import { type GovernedChat, type GovernedChatOptions, startGovernedChat } from './governed-chat.js'

export interface DiscordChat {
  readonly fake: FakeDiscord
  readonly chat: GovernedChat
  readonly bot: DiscordBot
  readonly users: { readonly alice: FakeUser; readonly bob: FakeUser; readonly carol: FakeUser; readonly eve: FakeUser }
  /** Moves the adapter's clock (not the fake's, not the store's) forward. */
  advance(ms: number): void
  /** The interaction's first answer (its callback request). */
  callback(interaction: InteractionState): Promise<Recorded>
  /** The interaction's own message (@original): the filled thinking message, or the pressed message. */
  original(interaction: InteractionState): FakeMessage
  /** The first request with the interaction's token or to the channel routes matching `match`, after `after`. */
  next(match: (r: Recorded) => boolean, what: string, after?: number): Promise<Recorded>
}

export interface DiscordChatOptions extends Omit<GovernedChatOptions, 'access'> {
  readonly approverPings?: boolean | undefined
  readonly commandScope?: 'guild' | 'global' | undefined
  readonly commands?: readonly AnyCommand[] | undefined
  /** What the operator role (alice) may do; docker.read, docker.operate and xen.read by default. */
  readonly operatorPermissions?: readonly string[] | undefined
}

const running: { bot: DiscordBot; fake: FakeDiscord }[] = []

afterEach(async () => {
  for (const { bot, fake } of running.splice(0)) {
    await bot.stop()
    await fake.close()
  }
})

export async function startDiscordChat(options: DiscordChatOptions = {}): Promise<DiscordChat> {
  const fake = await FakeDiscord.start()
  const user = (username: string, roles: string[] = []): FakeUser => ({ id: snowflake(), username, roles })
  const users = {
    alice: user('alice', [fake.operatorRole]),
    bob: user('bob'),
    carol: user('carol'),
    eve: user('eve'),
  }
  const access = accessSchema.parse({
    roles: {
      operator: { permissions: options.operatorPermissions ?? ['docker.read', 'docker.operate', 'xen.read'] },
      approver: { permissions: ['docker.read', 'xen.read', 'approve'] },
      'modern-reader': { permissions: ['docker.read'], pools: ['lab-modern'] },
    },
    subjects: [
      { platform: 'discord', groups: [fake.operatorRole], roles: ['operator'] },
      { platform: 'discord', users: [users.bob.id], roles: ['approver'] },
      { platform: 'discord', users: [users.carol.id], roles: ['modern-reader'] },
    ],
  })
  const { operatorPermissions: _operator, ...governed } = options
  const chat = await startGovernedChat({ ...governed, access })
  let offset = 0
  const dispatcher = {
    handle: (...args: Parameters<GovernedChat['bot']['dispatcher']['handle']>) => chat.bot.dispatcher.handle(...args),
    press: (...args: Parameters<GovernedChat['bot']['dispatcher']['press']>) => chat.bot.dispatcher.press(...args),
    submit: (...args: Parameters<GovernedChat['bot']['dispatcher']['submit']>) => chat.bot.dispatcher.submit(...args),
    visibleCommands: (...args: Parameters<GovernedChat['bot']['dispatcher']['visibleCommands']>) =>
      chat.bot.dispatcher.visibleCommands(...args),
  }
  const bot = await startDiscordBot({
    config: {
      guilds: [fake.guildId],
      commandScope: options.commandScope ?? 'guild',
      defaultMemberPermissions: '32',
      alertChannels: [fake.alertChannelId],
      approverPings: options.approverPings ? [fake.operatorRole] : [],
    },
    token: fake.token,
    dispatcher,
    suggestions: createSuggestions(chat.xen.inventory, chat.access),
    commands: options.commands ?? [...commands, ...(options.extraCommands ?? [])],
    // The bot's own logger when a test gives one (it scans it); DEBUG_DISCORD=1 shows it on standard error.
    log: options.log ?? (process.env.DEBUG_DISCORD ? createLogger({ level: 'debug' }) : silentLog),
    now: () => Date.now() + offset,
    api: fake.api,
  })
  running.push({ bot, fake })
  return {
    fake,
    chat,
    bot,
    users,
    advance: (ms) => {
      offset += ms
    },
    callback: (interaction) =>
      fake.waitFor(
        (r) => r.path === `/interactions/${interaction.id}/${interaction.token}/callback`,
        `callback for interaction ${interaction.id}`,
      ),
    original: (interaction) => {
      const id = fake.interactions.get(interaction.id)?.originalId
      const message = id ? fake.messages.get(id) : undefined
      if (!message) throw new Error(`interaction ${interaction.id} has no message yet:\n${fake.describe()}`)
      return message
    },
    next: (match, what, after = 0) => fake.waitFor((r) => r.seq > after && match(r), what),
  }
}

/** The embeds, content and button labels of a message as one searchable text. */
export function textOf(message: FakeMessage): string {
  return JSON.stringify({ content: message.content, embeds: message.embeds, components: message.components })
}

/** The custom id of the button labelled `label` on `message`. */
export function buttonId(message: FakeMessage, label: string): string {
  for (const row of message.components as { components?: { label?: string; custom_id?: string }[] }[]) {
    const found = row.components?.find((c) => c.label === label)
    if (found?.custom_id) return found.custom_id
  }
  throw new Error(`no "${label}" button on message ${message.id}: ${textOf(message)}`)
}
