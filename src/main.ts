/**
 * The composition root with its process concerns: `xen-chatops --config <file>` runs the bot against
 * real pools and the configured chat platforms; `check-config` validates a file; `demo` runs the
 * simulated pools with the terminal chat. Dependencies are built here and passed down (style rule 5).
 */
import { PassThrough, type Readable, type Writable } from 'node:stream'
import { pino } from 'pino'
import type { DiscordBot } from '../adapters/discord/discord-bot.js'
import { renderStatusCard } from '../adapters/shell/render-text.js'
import { ShellChat } from '../adapters/shell/shell-chat.js'
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
  app.addAdapter({ name: 'discord', connected: () => bot.connected() })
  // bot.alertSink delivers alerts to platforms.discord.alertChannels once the alert router (issue #11) is wired.
  return bot
}

export async function runBot(configPath: string, io: ProcessIo): Promise<number> {
  const config = loadConfig(configPath)
  const shell = config.platforms.shell
  if (!shell && !config.platforms.discord) {
    io.stderr.write('xen-chatops: no chat platform is configured; add platforms.shell or platforms.discord\n')
    return 2
  }
  const log = createLogger({
    level: config.log.level,
    destination: config.log.file ? pino.destination({ dest: config.log.file, sync: false }) : pino.destination(2),
  })
  routeConsoleWarnings(log)
  const app = createApp({ config, log })
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
  }
  let discord: DiscordBot | undefined
  try {
    await app.startHttp()
    discord = await startDiscord(app, config, log)
  } catch (error) {
    await app.stop()
    throw error
  }
  let onSignal = () => {}
  const signalled = new Promise<'signal'>((resolve) => {
    onSignal = () => resolve('signal')
  })
  // Without a terminal chat, only a signal ends the bot; Ctrl-C is one too.
  const signals: NodeJS.Signals[] = chat ? ['SIGTERM'] : ['SIGTERM', 'SIGINT']
  for (const signal of signals) process.once(signal, onSignal)
  const ended = chat ? chat.run().then(() => 'end' as const) : new Promise<never>(() => undefined)
  const why = await Promise.race([ended, signalled])
  for (const signal of signals) process.off(signal, onSignal)
  const report = await shutdownApp(app, {
    log,
    graceMs: why === 'signal' ? SHUTDOWN_GRACE_MS : 0,
    stopIntake: () => {
      discord?.stopIntake()
      if (!chat) return
      io.stdin.unpipe(intake)
      intake.end()
    },
  })
  // Running jobs had the grace period to finish and edit their cards; now the gateway can go.
  await discord?.stop()
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
