/**
 * Issue #13, redaction through the chat adapters: the real-looking secrets typed into Slack slash
 * commands and Discord slash-command options, echoed by an error inside a job (its live card), and
 * given in the forms' secret inputs (`/docker enable`'s one-time password) or pasted where a public key
 * belongs (`/coreos create`), end to end through the real bolt App and the real discord.js Client. None
 * may survive in anything the fakes received (messages, edits, ephemeral answers, modals, acks), in
 * the bot's log, or in the audit chain. (secret-sinks.test.ts covers the same secrets in the core's
 * sinks and the SQLite files.)
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineCommand } from '../../src/core/command.js'
import { UserError } from '../../src/core/errors.js'
import { channelReply, text } from '../../src/core/reply.js'
import { startSlackBot } from '../adapters/slack/slack-bot.js'
import { ONE_TIME_PASSWORD, setupScenario } from '../commands/setup-scenario.js'
import { allEntries } from '../helpers/audit-entries.js'
import { buttonId, startDiscordChat, textOf } from '../helpers/discord-chat.js'
import { chatInput, opt, pressButton, sub, submitModal } from '../helpers/fake-discord/fake-interactions.js'
import { capturingLog, waitFor } from '../helpers/xen.js'
import { SECRETS, secretsIn } from './real-looking-secrets.js'

/** A command whose step fails with what it was given in the words: an error that echoes input, on a job card. */
const echo = defineCommand({
  path: 'test echo',
  summary: 'fails a step with its note in the error',
  args: z.object({ vm: z.string(), note: z.string() }),
  positional: ['vm', 'note'],
  permission: 'docker.operate',
  mutating: true,
  steps: () => ['use the note'],
  plan: (ctx, args) => {
    const found = ctx.inventory.findVm(args.vm)
    if (found.kind !== 'found') throw new UserError('vm.not_found', `no VM named ${args.vm}`)
    return {
      target: { pool: found.vm.pool, vm: { name: found.vm.name, tags: found.vm.tags } },
      summary: `echo ${args.note}`,
    }
  },
  run: async (ctx, args) => {
    await ctx.step('use the note', async () => {
      throw new UserError('test.bad_note', `the note ${args.note} is not one this VM takes`)
    })
    return channelReply(text('not reached'))
  },
})

/** Secrets a user may type on a command line (the one-time password only ever goes into a form). */
const TYPED = [SECRETS.slackBot, SECRETS.slackApp, SECRETS.discord, SECRETS.xapiPassword, SECRETS.privateKey]

const ADMIN = ['docker.read', 'docker.operate', 'docker.admin', 'vm.create', 'xen.read']

describe('secrets through the chat adapters', () => {
  it('Slack: typed, echoed by a job, given in a modal or pasted as a key, none reaches Slack, the log or the audit', async () => {
    const { log, lines } = capturingLog()
    const bot = await startSlackBot({
      log,
      rules: { 'docker enable': {} },
      extraCommands: [echo],
      operatorPermissions: ADMIN,
    })
    for (const secret of TYPED) {
      for (const line of [`/docker ps ${secret}`, `/docker restart web-1 ${secret}`, `/test echo web-1 "${secret}"`]) {
        const { payload } = await bot.command('alice', line)
        await bot.slack.until(() => bot.answersTo(payload.response_url)[0], `the answer to ${line.slice(0, 30)}`)
      }
    }
    const acks: unknown[] = []
    const opened = bot.slack.callsOf('views.open').length
    await bot.command('alice', '/docker enable web-1')
    const enableView = await bot.slack.until(() => bot.slack.callsOf('views.open')[opened]?.result.view, 'the modal')
    acks.push(
      await bot.submit('alice', String((enableView as { id: string }).id), {
        vm: 'web-1',
        user: 'core',
        auth: { option: 'o0' },
        password: SECRETS.oneTimePassword,
      }),
    )
    await bot.slack.until(
      () => bot.posted().find((m) => JSON.stringify(m.blocks).includes('asks to enable Docker on web-1')),
      'the approval card',
    )
    await bot.command('alice', '/coreos create --pool lab-legacy')
    const coreosView = await bot.slack.until(
      () => bot.slack.callsOf('views.open')[opened + 1]?.result.view,
      'the modal',
    )
    const refused = await bot.submit('alice', String((coreosView as { id: string }).id), {
      name: 'web-3',
      sshKey: SECRETS.privateKey,
    })
    expect(JSON.stringify(refused)).toMatch(/private key/i)
    acks.push(refused)

    const sent = JSON.stringify([bot.slack.calls.map((c) => c.params), bot.slack.responses.map((r) => r.body), acks])
    // The secrets really went in: answers name them redacted, and so do the echo jobs' live cards.
    expect(sent).toContain('[redacted]')
    expect(sent.match(/echo \[redacted\] \(job \w+\)/g)?.length).toBeGreaterThanOrEqual(TYPED.length)
    expect(secretsIn(sent), 'in what Slack received').toEqual([])
    expect(secretsIn(JSON.stringify(lines)), 'in the log').toEqual([])
    expect(secretsIn(JSON.stringify(await allEntries(bot.app.store.audit))), 'in the audit chain').toEqual([])
  })

  it('Discord: typed as options, echoed by a job, given in the modal and used, none reaches Discord, the log or the audit', async () => {
    const { log, lines } = capturingLog()
    const discord = await startDiscordChat({
      scenario: setupScenario(),
      log,
      rules: { 'docker enable': {} },
      extraCommands: [echo],
      operatorPermissions: ADMIN,
      editIntervalMs: 0,
    })
    const { fake, chat, users } = discord
    const answered = (token: string) =>
      discord.next((r) => r.path.includes(token) && r.method !== 'GET' && !r.path.includes('/callback'), 'an answer')
    for (const secret of TYPED) {
      const ps = chatInput(fake, users.alice, 'docker', [sub('ps', [opt('vm', secret)])])
      await answered(ps.token)
      const echoed = chatInput(fake, users.alice, 'test', [sub('echo', [opt('vm', 'web-1'), opt('note', secret)])])
      await waitFor(
        () =>
          /is not one this VM takes/.test(JSON.stringify(fake.requests.filter((r) => r.path.includes(echoed.token)))),
        10_000,
        'the failed echo card',
      )
    }

    // The one-time password through the modal; an approver lets the job use it to install the key.
    const enable = chatInput(fake, users.alice, 'docker', [sub('enable', [opt('vm', 'app-server')])])
    const modal = (await discord.callback(enable)).body as { data: { custom_id: string } }
    submitModal(fake, users.alice, modal.data.custom_id, {
      vm: 'app-server',
      user: 'ops',
      auth: ['password'],
      password: ONE_TIME_PASSWORD,
    })
    const card = await waitFor(
      () => [...fake.messages.values()].find((m) => textOf(m).includes('asks to enable Docker on app-server')),
      10_000,
      'the approval card',
    )
    pressButton(fake, users.bob, buttonId(card, 'Approve'), card)
    await waitFor(
      () => [...fake.messages.values()].some((m) => textOf(m).includes('Docker is enabled on app-server')),
      20_000,
      'the enabled VM',
    )

    const secrets = { ...SECRETS, enablePassword: ONE_TIME_PASSWORD }
    const sent = JSON.stringify(fake.requests.map((r) => r.body))
    expect(sent).toMatch(/redacted/)
    expect(secretsIn(sent, secrets), 'in what Discord received').toEqual([])
    expect(secretsIn(JSON.stringify(lines), secrets), 'in the log').toEqual([])
    expect(secretsIn(JSON.stringify(await allEntries(chat.bot.store.audit)), secrets), 'in the audit chain').toEqual([])
  })
})
