/**
 * The composition root with its process concerns: `xen-chatops --config <file>` runs the bot against
 * real pools and every configured chat platform (Slack, the terminal chat, or both); `check-config`
 * validates a file; `demo` runs the simulated pools with the terminal chat. Dependencies are built here and passed down (style rule 5).
 */
import { PassThrough, type Readable, type Writable } from 'node:stream'
import { pino } from 'pino'
import type { DiscordBot } from '../adapters/discord/discord-bot.js'
import { renderStatusCard } from '../adapters/shell/render-text.js'
import { ShellChat } from '../adapters/shell/shell-chat.js'
import type { SlackAdapter } from '../adapters/slack/slack-adapter.js'
import { commands } from '../commands/index.js'
import { type App, createApp, shellCompletion } from './app.js'
import { type AppConfig, checkConfig, loadConfig, resolveSecret } from './config.js'
import { jobCard } from './core/jobs.js'
import { runDemo } from './demo.js'
import { createLogger, type Log } from './log.js'
import { shutdownApp } from './ops/shutdown.js'

/** How long running job steps may take to finish on SIGTERM before they are marked interrupted. */
const SHUTDOWN_GRACE_MS = 10_000
/** After a SIGTERM shutdown, the process exits at the latest this long after (a stuck handle must not keep it). */
const EXIT_BACKSTOP_MS = 2_000

export interface ProcessIo {
  readonly stdin: Readable & { readonly isTTY?: boolean | undefined }
  readonly stdout: Writable & { readonly isTTY?: boolean | undefined }
  readonly stderr: Writable
}

/**
 * The chat is interactive (prompt, cards redrawn in place) only when a person types on a terminal and
 * reads the same terminal; with stdin or stdout redirected it writes a plain transcript without escape
 * sequences (`npm start | tee demo.txt` must not fill the file with cursor movements).
 */
export const isInteractive = (io: ProcessIo) => io.stdin.isTTY === true && io.stdout.isTTY === true

/**
 * xen-api reports event-loop trouble with console.warn; in a terminal chat that would write over the
 * prompt, so it goes to the log instead.
 */
function routeConsoleWarnings(log: Log): void {
  console.warn = (...args: unknown[]) => log.warn({ args: args.map(String) }, 'library warning')
}

export async function runCheckConfig(path: string, io: ProcessIo): Promise<number> {
  const problems = checkConfig(path)
  if (problems.length === 0) {
    io.stdout.write(`${path}: ok\n`)
    return 0
  }
  io.stdout.write(`${path}: ${problems.length} problem(s)\n`)
  for (const p of problems) io.stdout.write(`  ${p.path || '(top)'}: ${p.message}\n`)
  return 1
}

/** The Discord adapter, when configured: connected, commands registered, reported in /healthz. */
export async function startDiscord(
  app: App,
  config: AppConfig,
  log: Log,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DiscordBot | undefined> {
  const discord = config.platforms.discord
  if (!discord) return undefined
  // Loaded only when configured: discord.js takes a while to import, and a terminal-only bot should
  // not wait for it (nor depend on it loading).
  const { startDiscordBot } = await import('../adapters/discord/discord-bot.js')
  const bot = await startDiscordBot({
    config: discord,
    token: resolveSecret(discord.token, env),
    api: discord.api,
    dispatcher: app.dispatcher,
    suggestions: app.suggestions,
    commands,
    log,
  })
  // Issue #11: alerts routed to Discord go out through its sink (only to platforms.discord.alertChannels).
  app.alerts?.attach(bot.alertSink)
  app.cards.register('discord', (ref, card) => bot.editCard(ref, card))
  return bot
}

/**
 * Discord admits one gateway session per shard, so with several replicas only the leader connects
 * (issue #15); a bot alone connects at once, and a bad token still stops its start. /healthz counts
 * Discord as connected on a replica that does not lead: not being connected is its job there.
 */
export async function startDiscordOnLeader(
  app: App,
  config: AppConfig,
  log: Log,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ current(): DiscordBot | undefined }> {
  let bot: DiscordBot | undefined
  if (!config.platforms.discord) return { current: () => undefined }
  app.attach({ name: 'discord', connected: () => (bot ? bot.connected() : !app.leader.isLeader()) })
  await app.leader.add({
    name: 'discord gateway',
    start: async () => {
      bot = await startDiscord(app, config, log, env)
    },
    stop: async () => {
      const stopping = bot
      bot = undefined
      await stopping?.stop()
    },
  })
  return { current: () => bot }
}

export async function runBot(configPath: string, io: ProcessIo): Promise<number> {
  const config = loadConfig(configPath)
  const { shell, slack, discord } = config.platforms
  if (!shell && !slack && !discord) {
    io.stderr.write(
      'xen-chatops: no chat platform is configured; add platforms.slack (docs/setup-slack.md), platforms.discord (docs/setup-discord.md) or platforms.shell\n',
    )
    return 2
  }
  const log = createLogger({
    level: config.log.level,
    destination: config.log.file ? pino.destination({ dest: config.log.file, sync: false }) : pino.destination(2),
  })
  routeConsoleWarnings(log)
  const app = await createApp({ config, log })
  // Jobs the previous run left running end as interrupted; say so before anything else.
  for (const job of app.interrupted) io.stdout.write(`${renderStatusCard(jobCard(job)).join('\n')}\n`)
  // The chat reads through a pipe the shutdown can close: the chat stops at the end of the current line.
  const intake = new PassThrough()
  let chat: ShellChat | undefined
  if (shell) {
    io.stdin.pipe(intake)
    chat = new ShellChat({
      dispatcher: app.dispatcher,
      input: intake,
      output: io.stdout,
      interactive: isInteractive(io),
      user: shell.user,
      ...shellCompletion(app, () => chat?.user ?? shell.user),
    })
    app.alerts?.attach(chat.alertSink())
  }
  let discordBot: { current(): DiscordBot | undefined } | undefined
  let slackAdapter: SlackAdapter | undefined
  try {
    await app.startHttp()
    if (slack) {
      // Loaded only when configured: bolt takes most of a second to import, which a terminal-only bot need not pay.
      const { startSlack } = await import('./start-slack.js')
      slackAdapter = await startSlack(app, slack, { log })
    }
    discordBot = await startDiscordOnLeader(app, config, log)
  } catch (error) {
    await app.stop()
    throw error
  }
  let onSignal = () => {}
  const signalled = new Promise<'signal'>((resolve) => {
    onSignal = () => resolve('signal')
  })
  // Without a terminal chat, Ctrl-C is how a foreground bot is stopped: the same graceful shutdown.
  const signals: NodeJS.Signals[] = chat ? ['SIGTERM'] : ['SIGTERM', 'SIGINT']
  for (const signal of signals) process.once(signal, onSignal)
  // The terminal chat ending (end of input, /quit) ends the bot only when it is the only platform.
  const chatEnded = chat?.run().then(() => 'end' as const)
  const onlyChat = chatEnded && !slack && !discord
  const why = await Promise.race([signalled, ...(onlyChat ? [chatEnded] : [])])
  for (const signal of signals) process.off(signal, onSignal)
  const report = await shutdownApp(app, {
    log,
    graceMs: why === 'signal' ? SHUTDOWN_GRACE_MS : 0,
    stopIntake: () => {
      discordBot?.current()?.stopIntake()
      if (chat) {
        io.stdin.unpipe(intake)
        intake.end()
      }
      // Stops receiving Slack events; cards of running jobs still update over the Web API.
      void slackAdapter?.stop()
    },
  })
  // The Discord gateway went with the app's leader work (app.stop), after the jobs' grace period.
  for (const job of report.interrupted) io.stdout.write(`${renderStatusCard(jobCard(job)).join('\n')}\n`)
  if (why === 'signal') {
    // Nothing reads the terminal any more; a request still hung in a socket must not keep the process.
    io.stdin.pause()
    setTimeout(() => process.exit(0), EXIT_BACKSTOP_MS).unref()
  }
  return 0
}

export async function runDemoCommand(io: ProcessIo, speed: number, dataDir?: string): Promise<number> {
  const interactive = isInteractive(io)
  // The demo's own warnings go to its log file; keep library warnings off the chat too.
  console.warn = () => undefined
  await runDemo({ input: io.stdin, output: io.stdout, interactive, speed, dataDir })
  return 0
}
