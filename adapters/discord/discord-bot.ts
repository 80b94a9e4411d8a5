/**
 * The Discord adapter: a discord.js gateway client (outbound WebSocket, no inbound port) that
 * registers the application commands, answers interactions through the dispatcher, and delivers alerts.
 * It answers only in the servers the config names; anywhere else it says so privately and does nothing.
 * This folder is the only place that imports discord.js (tests/architecture.test.ts).
 */
import { once } from 'node:events'
import { Client, Events, GatewayIntentBits, type Interaction, Routes, Status } from 'discord.js'
import type { AlertSink } from '../../src/core/alert-sink.js'
import type { AnyCommand } from '../../src/core/command.js'
import type { StatusCard } from '../../src/core/reply.js'
import type { CardRef } from '../../src/core/store-ports.js'
import type { Suggestions } from '../../src/core/suggestions.js'
import type { Log } from '../../src/log.js'
import { applicationCommands } from './command-json.js'
import { DiscordAlertSink } from './discord-alert-sink.js'
import type { DiscordConfig } from './discord-config.js'
import { FormCache } from './form-cache.js'
import {
  type BotDispatcher,
  type HandlerDeps,
  onAutocomplete,
  onButton,
  onCommand,
  onModal,
} from './interaction-handlers.js'
import { channelRoute, replyOptions } from './message-payload.js'
import { renderStatus } from './render-message.js'

export interface DiscordBotOptions {
  readonly config: Omit<DiscordConfig, 'token'>
  /** The bot token, resolved from the config's secret reference. */
  readonly token: string
  readonly dispatcher: BotDispatcher
  readonly suggestions: Suggestions
  readonly commands: readonly AnyCommand[]
  readonly log: Log
  readonly now?: (() => number) | undefined
  /** Discord's REST base (`https://discord.com/api` by default); tests point it at a fake on 127.0.0.1. */
  readonly api?: string | undefined
  /** How long a shown form stays usable (default 30 minutes, as the core's). */
  readonly formTtlMs?: number | undefined
  /** How long a form-opening command may take before it is deferred (default 2 s of Discord's 3). */
  readonly formDeadlineMs?: number | undefined
  /** How long to wait for the gateway's READY (default 30 s). */
  readonly readyTimeoutMs?: number | undefined
}

export interface DiscordBot {
  /** Posts alerts to the configured alert channels. */
  readonly alertSink: AlertSink
  /** Whether the gateway connection is up (for /healthz). */
  connected(): boolean
  /** The JSON registered as application commands. */
  readonly registered: ReturnType<typeof applicationCommands>
  /**
   * Shutdown, first step: new interactions are answered "restarting" and do nothing, while the jobs
   * already running keep editing their cards (the client stays connected until `stop`).
   */
  stopIntake(): void
  /** Shows `card` in a channel message another process posted (issue #15: closing a dead replica's job card). */
  editCard(ref: CardRef, card: StatusCard): Promise<void>
  /** Disconnects. */
  stop(): Promise<void>
}

async function registerCommands(client: Client<true>, options: DiscordBotOptions, body: unknown[]): Promise<void> {
  const app = client.application.id
  if (options.config.commandScope === 'global') {
    await client.rest.put(Routes.applicationCommands(app), { body })
    return
  }
  for (const guild of options.config.guilds)
    await client.rest.put(Routes.applicationGuildCommands(app, guild), { body })
}

const ELSEWHERE = {
  embeds: [{ description: 'This bot answers only in the servers it is configured for.' }],
  components: [],
}
const RESTARTING = {
  embeds: [{ description: 'The bot is restarting; try again in a minute.' }],
  components: [],
}

async function route(
  deps: HandlerDeps,
  guilds: ReadonlySet<string>,
  accepting: boolean,
  interaction: Interaction,
): Promise<void> {
  const refusal =
    !interaction.inGuild() || !guilds.has(interaction.guildId) ? ELSEWHERE : accepting ? undefined : RESTARTING
  if (refusal) {
    if (interaction.isAutocomplete()) await interaction.respond([])
    else if (interaction.isRepliable()) await interaction.reply(replyOptions(refusal, true))
    return
  }
  if (interaction.isAutocomplete()) return onAutocomplete(deps, interaction)
  if (interaction.isChatInputCommand()) return onCommand(deps, interaction)
  if (interaction.isButton()) return onButton(deps, interaction)
  if (interaction.isModalSubmit()) return onModal(deps, interaction)
}

export async function startDiscordBot(options: DiscordBotOptions): Promise<DiscordBot> {
  const log = options.log.child({ adapter: 'discord' })
  const now = options.now ?? Date.now
  const client = new Client({
    // Guilds only (not privileged): the server, channel and role caches. Interactions need no intent.
    intents: [GatewayIntentBits.Guilds],
    allowedMentions: { parse: [] },
    ...(options.api ? { rest: { api: options.api } } : {}),
  })
  const channels = channelRoute(client.rest)
  const deps: HandlerDeps = {
    dispatcher: options.dispatcher,
    suggestions: options.suggestions,
    commands: options.commands,
    forms: new FormCache(options.formTtlMs ?? 30 * 60_000, now),
    session: { now, log, channels },
    approverPings: options.config.approverPings,
    log,
    formDeadlineMs: options.formDeadlineMs ?? 2_000,
  }
  const guilds = new Set(options.config.guilds)
  let accepting = true
  let stopped = false
  client.on(Events.InteractionCreate, (interaction) => {
    route(deps, guilds, accepting, interaction).catch((error: unknown) =>
      log.error({ err: error, interaction: interaction.id }, 'handling a Discord interaction failed'),
    )
  })
  client.on(Events.Error, (error) => log.error({ err: error }, 'Discord client error'))
  const registered = applicationCommands(options.commands, options.config.defaultMemberPermissions)
  const ready = once(client, Events.ClientReady)
  let timer: NodeJS.Timeout | undefined
  const readyTimeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error('Discord did not confirm the login in time (no READY from the gateway)')),
      options.readyTimeoutMs ?? 30_000,
    )
  })
  try {
    await client.login(options.token)
    await Promise.race([ready, readyTimeout])
    if (!client.isReady()) throw new Error('the Discord client is not ready after login')
    await registerCommands(client, options, registered)
  } catch (error) {
    await client.destroy()
    throw error
  } finally {
    clearTimeout(timer)
  }
  log.info({ guilds: options.config.guilds, scope: options.config.commandScope }, 'connected to Discord')
  return {
    alertSink: new DiscordAlertSink(client.rest, options.config.alertChannels),
    // discord.js keeps the last status after destroy(); a stopped bot is not connected.
    connected: () => !stopped && client.ws.status === Status.Ready,
    registered,
    stopIntake: () => {
      accepting = false
    },
    editCard: (ref, card) => channels.edit(ref.channel, ref.messageId, renderStatus(card)),
    stop: async () => {
      stopped = true
      accepting = false
      await client.destroy()
    },
  }
}
