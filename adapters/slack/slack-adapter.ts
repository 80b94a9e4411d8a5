/**
 * The Slack adapter (issue #7): bolt's App, Socket Mode by default or HTTP with our own signature check,
 * translating and nothing more. Every listener acknowledges first — before any XAPI, SSH, database or
 * even Slack call — and does the work after (handle-*.ts). The adapter's memory (live messages, pages,
 * open forms) is bounded and in-process; the durable state (jobs, approvals) is the core's.
 */
import {
  App,
  type BlockAction,
  type BlockSuggestion,
  SocketModeReceiver,
  type ViewSubmitAction,
  webApi,
} from '@slack/bolt'
import type { AlertSink } from '../../src/core/alert-sink.js'
import type { Actor } from '../../src/core/command.js'
import type { StatusCard } from '../../src/core/reply.js'
import type { CardRef } from '../../src/core/store-ports.js'
import type { Log } from '../../src/log.js'
import { FORM_CALLBACK } from './action-ids.js'
import { AfterAcks } from './after-acks.js'
import { boltLogger } from './bolt-logger.js'
import { Conversation } from './conversation.js'
import { onBlockAction } from './handle-action.js'
import { onSlashCommand } from './handle-command.js'
import { onBlockSuggestion, onViewSubmission } from './handle-view.js'
import { MessageBoard } from './live-message.js'
import { OpenForms } from './open-forms.js'
import { Pager } from './pager.js'
import { responseUrlFrom } from './response-url.js'
import { createSlackAlertSink } from './slack-alert-sink.js'
import { platformErrorOf, SlackApi } from './slack-api.js'
import type { SlackConfig, SlackSecrets } from './slack-config.js'
import { SlackGroups } from './slack-groups.js'
import type { ChatDispatcher, SlackRuntime } from './slack-runtime.js'
import { VerifyingHttpReceiver } from './verifying-receiver.js'

export interface SlackAdapterOptions {
  readonly config: SlackConfig
  readonly secrets: SlackSecrets
  readonly dispatcher: ChatDispatcher
  readonly log: Log
  /** The user-group ids the access config names for Slack (their membership is fetched and cached). */
  readonly trackedGroups?: readonly string[] | undefined
  /** How long a modal submission may be checked before the modal closes anyway (default 2 s; Slack allows 3). */
  readonly submitAckMs?: number | undefined
  /** Socket Mode keep-alive (ms): how long to wait for a pong (tests make it short). */
  readonly clientPingTimeoutMs?: number | undefined
}

type ConnectionState = 'stopped' | 'connecting' | 'connected'

export class SlackAdapter {
  readonly name = 'slack'
  readonly alertSink: AlertSink
  readonly #options: SlackAdapterOptions
  readonly #log: Log
  readonly #api: SlackApi
  readonly #groups: SlackGroups
  readonly #runtime: SlackRuntime
  readonly #inflight = new Set<Promise<void>>()
  readonly #afterAcks = new AfterAcks()
  #app: App | undefined
  #httpReceiver: VerifyingHttpReceiver | undefined
  #state: ConnectionState = 'stopped'

  constructor(options: SlackAdapterOptions) {
    this.#options = options
    this.#log = options.log.child({ adapter: 'slack' })
    const client = new webApi.WebClient(options.secrets.botToken, this.#clientOptions())
    this.#api = new SlackApi(client, { log: this.#log })
    this.alertSink = createSlackAlertSink(this.#api)
    this.#groups = new SlackGroups({
      api: this.#api,
      log: this.#log,
      groups: [...new Set(options.trackedGroups ?? [])],
      refreshMs: options.config.groupRefreshMinutes * 60_000,
    })
    const pager = new Pager()
    const deps = { api: this.#api, log: this.#log, pager }
    const board = new MessageBoard(deps)
    const extraOrigin = options.config.apiUrl ? new URL(options.config.apiUrl).origin : undefined
    this.#runtime = {
      dispatcher: options.dispatcher,
      api: this.#api,
      log: this.#log,
      pager,
      board,
      forms: new OpenForms(),
      submitAckMs: options.submitAckMs ?? 2_000,
      actorOf: async (userId, name): Promise<Actor> => ({
        platform: 'slack',
        id: userId,
        name: name || userId,
        groups: await this.#groups.of(userId),
      }),
      responseUrl: (raw) => responseUrlFrom(raw, extraOrigin),
      conversation: (place) => new Conversation({ ...deps, board }, place),
    }
  }

  #clientOptions(): webApi.WebClientOptions {
    return {
      ...(this.#options.config.apiUrl ? { slackApiUrl: this.#options.config.apiUrl } : {}),
      // Retries and rate limits are handled in SlackApi, with a policy that never retries a refusal.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 15_000,
      logger: boltLogger(this.#log),
    }
  }

  /** Whether the adapter can receive events now (/healthz). */
  connected(): boolean {
    if (this.#httpReceiver) return this.#httpReceiver.listening
    return this.#state === 'connected'
  }

  /** HTTP mode: where Slack must POST (after start). */
  get url(): string | undefined {
    return this.#httpReceiver?.url
  }

  /**
   * Shows `card` in the message `ref` names, posted by this process or by another replica (issue #15:
   * the leader closes the card of a job whose replica died).
   */
  editCard(ref: CardRef, card: StatusCard): Promise<void> {
    return this.#runtime.board.at(ref.channel, ref.messageId).showCard(card)
  }

  /** The tracked groups a user is in, from the cache (for re-checking a requester's rights later). */
  cachedGroups(userId: string): string[] | undefined {
    return this.#groups.cached(userId)
  }

  async start(): Promise<void> {
    const { config, secrets } = this.#options
    // The token is checked before anything listens: a bad token stops the start with a plain reason.
    let auth: Record<string, unknown>
    try {
      auth = await this.#api.call('auth.test')
    } catch (error) {
      throw new Error(`Slack did not accept the bot token (${describe(error)}); check platforms.slack.botToken`)
    }
    const logger = boltLogger(this.#log)
    const clientOptions = this.#clientOptions()
    let receiver: VerifyingHttpReceiver | SocketModeReceiver
    if (config.mode === 'http') {
      receiver = new VerifyingHttpReceiver({
        signingSecret: secrets.signingSecret ?? '',
        path: config.http.path,
        log: this.#log,
        boltLogger: logger,
      })
      this.#httpReceiver = receiver
    } else {
      receiver = new SocketModeReceiver({
        appToken: secrets.appToken ?? '',
        logger,
        installerOptions: { clientOptions },
        ...(this.#options.clientPingTimeoutMs ? { clientPingTimeout: this.#options.clientPingTimeoutMs } : {}),
      })
      this.#watch(receiver)
    }
    const app = new App({
      token: secrets.botToken,
      // Known from auth.test above, so bolt does not call it again inside its constructor.
      botId: String(auth.bot_id ?? ''),
      botUserId: String(auth.user_id ?? ''),
      receiver,
      ...(config.mode === 'socket' ? { socketMode: true } : {}),
      logger,
      clientOptions,
    })
    this.#register(app)
    this.#app = app
    this.#groups.start()
    void this.#groups.refresh()
    this.#state = 'connecting'
    try {
      if (config.mode === 'http') await app.start({ port: config.http.port, host: config.http.host })
      else await app.start()
    } catch (error) {
      this.#groups.stop()
      const what =
        config.mode === 'http'
          ? `could not listen on ${config.http.host}:${config.http.port}`
          : 'could not open a Socket Mode connection'
      const fix = config.mode === 'http' ? 'check platforms.slack.http' : 'check platforms.slack.appToken'
      throw new Error(`Slack adapter ${what} (${describe(error)}); ${fix}`)
    }
    this.#log.info({ mode: config.mode, url: this.url }, 'Slack adapter started')
  }

  async stop(): Promise<void> {
    this.#groups.stop()
    const app = this.#app
    this.#app = undefined
    this.#state = 'stopped'
    await app?.stop()
  }

  /** Resolves once every event being handled now has been answered (tests, and a clean shutdown). */
  async idle(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight])
  }

  #watch(receiver: SocketModeReceiver): void {
    const client = receiver.client
    client.on('connected', () => {
      this.#state = 'connected'
    })
    for (const event of ['connecting', 'reconnecting', 'disconnecting', 'disconnected']) {
      client.on(event, () => {
        if (this.#state !== 'stopped') this.#state = 'connecting'
      })
    }
  }

  /**
   * Runs `work` after the ack, outside bolt's listener and after the acks of envelopes already received
   * (AfterAcks); failures are logged, never thrown into bolt.
   */
  #spawn(what: string, work: () => Promise<void>): void {
    const task = this.#afterAcks
      .run(work)
      .catch((error: unknown) => this.#log.error({ err: error, what }, 'a Slack event failed'))
    this.#inflight.add(task)
    void task.finally(() => this.#inflight.delete(task))
  }

  #register(app: App): void {
    const rt = this.#runtime
    // Any slash command the app defines (/docker, /coreos, /xen): the shared grammar knows them all.
    app.command(/^\/[A-Za-z0-9_-]+$/, async ({ command, ack }) => {
      await ack()
      this.#spawn('slash command', () => onSlashCommand(rt, command))
    })
    app.action<BlockAction>({ type: 'block_actions', action_id: /^xc:/ }, async ({ body, ack }) => {
      await ack()
      this.#spawn('button', () => onBlockAction(rt, body))
    })
    app.view<ViewSubmitAction>({ callback_id: FORM_CALLBACK, type: 'view_submission' }, async ({ body, ack }) => {
      // Acknowledged inside, within the submission budget: only that answer can show inline errors.
      this.#spawn('form submission', () => onViewSubmission(rt, body, (response) => ack(response as never)))
    })
    app.options<'block_suggestion'>({ type: 'block_suggestion' }, async ({ body, ack }) => {
      // Answered from memory (the open form), never from a pool.
      await ack({ options: onBlockSuggestion(rt, body as BlockSuggestion) })
    })
    app.error(async (error) => {
      this.#log.error({ err: error }, 'bolt reported an error')
    })
  }
}

/** Slack's error code when there is one (`invalid_auth`), else the message. */
function describe(error: unknown): string {
  return platformErrorOf(error) ?? (error instanceof Error ? error.message : String(error))
}
