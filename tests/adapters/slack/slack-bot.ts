/**
 * The whole bot as production wires it — createApp over the simulated demo pools, then startSlack
 * (src/start-slack.ts) with the real bolt App — connected to a FakeSlack on 127.0.0.1. Socket Mode by
 * default; HTTP mode on request. The Slack users and what they may do:
 * - alice operates through the user group S0OPS (so her rights must survive being re-checked later),
 * - bob approves through the user group S0APPROVERS,
 * - carol approves as a named user,
 * - eve has no role.
 *
 * Teardown: helpers/sim is imported first, so the simulator closes after our afterEach (adapter, app,
 * fake, data directory).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SlackCommandMiddlewareArgs } from '@slack/bolt'
import { afterEach, expect } from 'vitest'
import type { SlackAdapter } from '../../../adapters/slack/slack-adapter.js'
import { commands } from '../../../commands/index.js'
import { type App, createApp } from '../../../src/app.js'
import { validateConfig } from '../../../src/config.js'
import type { AnyCommand } from '../../../src/core/command.js'
import type { Log } from '../../../src/log.js'
import { silentLog } from '../../../src/log.js'
import type { Scenario } from '../../../src/sim/scenario.js'
import type { Simulator } from '../../../src/sim/simulator.js'
import { startSlack } from '../../../src/start-slack.js'
import { startSim } from '../../helpers/sim.js'
import { FAST_TUNING } from '../../helpers/xen.js'
import { APP_TOKEN, BOT_TOKEN, FakeSlack, type PostedMessage, type ResponsePost } from './fake-slack.js'
import {
  type Button,
  blockSuggestion,
  buttonPress,
  CHANNEL,
  type SlackUser,
  type SubmittedValue,
  slashCommand,
  viewSubmission,
} from './slack-payloads.js'

export const USERS = {
  alice: { id: 'U0ALICE', name: 'alice' },
  bob: { id: 'U0BOB', name: 'bob' },
  carol: { id: 'U0CAROL', name: 'carol' },
  eve: { id: 'U0EVE', name: 'eve' },
} as const satisfies Record<string, SlackUser>
export type UserName = keyof typeof USERS

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef'

export const SLACK_ACCESS = {
  roles: {
    operator: { permissions: ['docker.read', 'docker.operate', 'xen.read'] },
    approver: { permissions: ['docker.read', 'xen.read', 'approve'] },
  },
  subjects: [
    { platform: 'slack', groups: ['S0OPS'], roles: ['operator'] },
    { platform: 'slack', groups: ['S0APPROVERS'], roles: ['approver'] },
    { platform: 'slack', users: ['U0CAROL'], roles: ['approver'] },
  ],
}

export interface SlackBotOptions {
  readonly mode?: 'socket' | 'http'
  /** `approvals.actions` (default: none). */
  readonly rules?: Readonly<Record<string, Record<string, unknown>>>
  readonly extraCommands?: readonly AnyCommand[]
  readonly scenario?: Scenario
  readonly submitAckMs?: number
  readonly log?: Log
  /** What the operator role (alice) may do; docker.read, docker.operate and xen.read by default. */
  readonly operatorPermissions?: readonly string[]
}

export interface SlackBot {
  readonly sim: Simulator
  readonly app: App
  readonly adapter: SlackAdapter
  readonly slack: FakeSlack
  /** Types a slash command (Socket Mode): resolves with the ack Slack got, and the payload sent. */
  command(user: UserName, line: string): Promise<{ ack: Record<string, unknown>; payload: SlashCommandPayload }>
  /** Presses the button labelled `label` in a channel message. */
  pressIn(user: UserName, message: PostedMessage, label: string): Promise<Record<string, unknown>>
  /** Presses `button` as it was in a message (an old copy of it, say). */
  pressButton(
    user: UserName,
    button: Button,
    where: { readonly channel: string; readonly ts?: string; readonly ephemeral?: boolean },
  ): Promise<Record<string, unknown>>
  /** Presses the button labelled `label` in an ephemeral answer (posted to a response_url). */
  pressEphemeral(user: UserName, answer: ResponsePost, label: string): Promise<Record<string, unknown>>
  submit(
    user: UserName,
    viewId: string,
    values: Readonly<Record<string, SubmittedValue>>,
  ): Promise<Record<string, unknown>>
  suggest(user: UserName, viewId: string, blockId: string, typed: string): Promise<Record<string, unknown>>
  /** The channel messages posted so far, oldest first. */
  posted(): PostedMessage[]
  /** What was posted to one response_url. */
  answersTo(responseUrl: string): ResponsePost[]
}

type SlashCommandPayload = SlackCommandMiddlewareArgs['command']

const cleanups: (() => Promise<void> | void)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Every Block Kit payload a test made the bot send stayed within Slack's limits. */
export function expectWithinLimits(slack: FakeSlack): void {
  expect(slack.problems).toEqual([])
}

interface ButtonElement {
  readonly type?: string
  readonly action_id?: string
  readonly value?: string
  readonly text?: { readonly text?: string }
}

/** The button labelled `label` in a list of blocks. */
export function buttonIn(blocks: readonly unknown[], label: string): Button {
  for (const block of blocks as { type?: string; elements?: ButtonElement[] }[]) {
    if (block.type !== 'actions') continue
    const found = block.elements?.find((e) => e.type === 'button' && e.text?.text === label)
    if (found?.action_id) return { action_id: found.action_id, value: found.value ?? '' }
  }
  throw new Error(`no "${label}" button in ${JSON.stringify(blocks)}`)
}

/** All the text of a message's blocks (for assertions on what people see). */
export function textOf(blocks: readonly unknown[] | undefined): string {
  const out: string[] = []
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk)
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'text' && typeof value === 'string') out.push(value)
        else walk(value)
      }
    }
  }
  walk(blocks ?? [])
  return out.join('\n')
}

export async function startSlackBot(options: SlackBotOptions = {}): Promise<SlackBot> {
  const sim = await startSim({ scenario: options.scenario ?? 'demo' })
  const slack = await FakeSlack.start()
  cleanups.push(() => slack.close())
  slack.usergroups.set('S0OPS', [USERS.alice.id])
  slack.usergroups.set('S0APPROVERS', [USERS.bob.id])
  const mode = options.mode ?? 'socket'
  const config = validateConfig(
    {
      pools: sim.pools.map((p) => ({ name: p.name, url: p.url, username: p.username, password: { env: 'SIM_PW' } })),
      access: options.operatorPermissions
        ? {
            ...SLACK_ACCESS,
            roles: { ...SLACK_ACCESS.roles, operator: { permissions: [...options.operatorPermissions] } },
          }
        : SLACK_ACCESS,
      approvals: { actions: options.rules ?? {} },
      platforms: {
        slack: {
          mode,
          botToken: { env: 'SLACK_BOT_TOKEN' },
          ...(mode === 'socket'
            ? { appToken: { env: 'SLACK_APP_TOKEN' } }
            : { signingSecret: { env: 'SLACK_SIGNING' } }),
          apiUrl: slack.apiUrl,
          http: { port: 0, host: '127.0.0.1' },
        },
      },
    },
    'slack test config',
  )
  const dataDir = mkdtempSync(join(tmpdir(), 'xen-chatops-slack-'))
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
  const app = await createApp({
    config,
    log: options.log ?? silentLog,
    env: { SIM_PW: sim.pools[0]?.password ?? '' },
    dataDir,
    tuning: FAST_TUNING,
    commands: [...commands, ...(options.extraCommands ?? [])],
  })
  cleanups.push(() => app.stop())
  await Promise.all(app.xen.connections.map((c) => c.synced(10_000)))
  const slackConfig = config.platforms.slack
  if (!slackConfig) throw new Error('no Slack config')
  const adapter = await startSlack(app, slackConfig, {
    log: options.log ?? silentLog,
    env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING: SIGNING_SECRET },
    submitAckMs: options.submitAckMs,
  })
  cleanups.push(() => adapter.stop())
  if (mode === 'socket') await slack.connected()

  const interactive = (payload: object) =>
    slack.send({ type: 'interactive', payload: payload as unknown as Record<string, unknown> })
  return {
    sim,
    app,
    adapter,
    slack,
    async command(user, line) {
      const payload = slashCommand(slack, USERS[user], line)
      const ack = await slack.send({ type: 'slash_commands', payload: payload as unknown as Record<string, unknown> })
      return { ack, payload }
    },
    pressIn: (user, message, label) =>
      interactive(
        buttonPress(slack, USERS[user], buttonIn(message.blocks, label), { channel: message.channel, ts: message.ts }),
      ),
    pressButton: (user, button, where) => interactive(buttonPress(slack, USERS[user], button, where)),
    pressEphemeral: (user, answer, label) =>
      interactive(
        buttonPress(slack, USERS[user], buttonIn((answer.body.blocks as unknown[]) ?? [], label), {
          channel: CHANNEL,
          ephemeral: true,
        }),
      ),
    submit: (user, viewId, values) => {
      const view = slack.view(viewId)
      if (!view) throw new Error(`no view ${viewId}`)
      return interactive(viewSubmission(USERS[user], view, values, slack.triggerId()))
    },
    suggest: (user, viewId, blockId, typed) => {
      const view = slack.view(viewId)
      if (!view) throw new Error(`no view ${viewId}`)
      return interactive(blockSuggestion(USERS[user], view, blockId, typed))
    },
    posted: () => [...slack.messages.values()],
    answersTo: (responseUrl) => slack.responses.filter((r) => responseUrl.endsWith(`/response/${r.id}`)),
  }
}
