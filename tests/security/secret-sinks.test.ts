/**
 * Issue #13, redaction: real-looking secrets pushed through every path that logs, audits, stores or
 * replies — typed into commands, into a form's secret input, into a log call's message and fields —
 * and then looked for in every sink: the log output, the audit chain, the SQLite files, and the replies.
 * None may survive anywhere.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineCommand } from '../../src/core/command.js'
import { UserError } from '../../src/core/errors.js'
import { channelReply, text } from '../../src/core/reply.js'
import { startGovernedChat } from '../helpers/governed-chat.js'
import { plain } from '../helpers/test-chat.js'
import { capturingLog } from '../helpers/xen.js'
import { needlesOf, SECRETS } from './real-looking-secrets.js'

/** A command with a one-time password input, standing in for `/docker enable`. */
const enroll = defineCommand({
  path: 'test enroll',
  summary: 'takes a one-time password',
  args: z.object({ vm: z.string(), password: z.string().optional() }),
  positional: ['vm'],
  permission: 'docker.admin',
  mutating: true,
  form: () => ({
    title: 'Enroll',
    submitLabel: 'Enroll',
    inputs: [
      { kind: 'text', id: 'vm', label: 'VM' },
      { kind: 'text', id: 'password', label: 'Password', secret: true },
    ],
  }),
  plan: (ctx, args) => {
    const found = ctx.inventory.findVm(args.vm)
    if (found.kind !== 'found') throw new Error('test VM missing')
    return { target: { pool: found.vm.pool, vm: { name: found.vm.name, tags: found.vm.tags } }, summary: 'enroll' }
  },
  run: async (ctx, args) => {
    const password = args.password ? ctx.secret(args.password) : ''
    // A careless command logging what it holds: the sink still must not write it.
    ctx.log.info({ note: `using ${password} and ${SECRETS.slackBot}` }, `enrolling with ${SECRETS.privateKey}`)
    return channelReply(text(`enrolled ${args.vm}`, 'success'))
  },
})

/**
 * A command that echoes its argument into what a job keeps: the plan's summary, a step's progress line
 * and the step's error. Records kept in the store are display text, so
 * they are redacted as the audit is (bug found by the reliability suite: they were stored as given).
 */
const echo = defineCommand({
  path: 'test echo',
  summary: 'echoes its argument into a failing job',
  args: z.object({ vm: z.string(), word: z.string() }),
  positional: ['vm', 'word'],
  permission: 'docker.admin',
  mutating: true,
  plan: (ctx, args) => {
    const found = ctx.inventory.findVm(args.vm)
    if (found.kind !== 'found') throw new Error('test VM missing')
    return {
      target: { pool: found.vm.pool, vm: { name: found.vm.name, tags: found.vm.tags } },
      summary: `echo ${args.word} on ${found.vm.name}`,
    }
  },
  steps: () => ['echo'],
  run: async (ctx, args) =>
    ctx.step('echo', async (progress) => {
      progress(`sending ${args.word}`)
      throw new UserError('test.echo', `the guest refused ${args.word}`)
    }),
})

const databaseFiles = (dbFile: string) =>
  ['', '-wal', '-shm'].map((suffix) => {
    try {
      return readFileSync(`${dbFile}${suffix}`, 'latin1')
    } catch {
      return ''
    }
  })

describe('secrets through every sink', () => {
  it('a secret echoed into a job summary, a progress line and a step error is not stored', async () => {
    const chat = await startGovernedChat({ extraCommands: [echo], rules: {} })
    const ran = plain(await chat.say('ada', `/test echo web-1 ${SECRETS.slackBot}`))
    // It really ran and failed, saying so with the word redacted.
    expect(ran).toContain('the guest refused [redacted]')
    const [job] = await chat.bot.store.jobs.recent('shell:ada', 1)
    expect(job).toMatchObject({ state: 'failed', summary: 'echo [redacted] on web-1' })
    await chat.bot.store.close()
    for (const needle of needlesOf('slackBot', SECRETS.slackBot))
      for (const file of databaseFiles(chat.dbFile)) expect(file, 'in the database files').not.toContain(needle)
  })

  it('a request holding a secret is not put up for approval (its arguments would be stored as given)', async () => {
    const chat = await startGovernedChat({ extraCommands: [echo], rules: { 'test echo': {} } })
    const asked = plain(await chat.say('ada', `/test echo web-1 ${SECRETS.discord}`))
    expect(asked).toContain('looks like a secret')
    expect(await chat.bot.store.approvals.pending(chat.now())).toEqual([])
    await chat.bot.store.close()
    for (const needle of needlesOf('discord', SECRETS.discord))
      for (const file of databaseFiles(chat.dbFile)) expect(file, 'in the database files').not.toContain(needle)
  })

  it('typed, submitted and logged secrets reach no log line, audit entry, database page or reply', async () => {
    const { log, lines } = capturingLog()
    const chat = await startGovernedChat({ extraCommands: [enroll], rules: {}, log })
    const replies: string[] = []
    for (const secret of [SECRETS.slackBot, SECRETS.slackApp, SECRETS.discord, SECRETS.xapiPassword]) {
      replies.push(plain(await chat.say('ada', `/docker ps ${secret}`)))
      replies.push(plain(await chat.say('ada', `/docker restart web-1 ${secret}`)))
      replies.push(plain(await chat.say('ada', `/docker ps web-1 --token=${secret}`)))
    }
    replies.push(plain(await chat.say('ada', `/docker ps "${SECRETS.privateKey}"`)))
    const opened = await chat.say('ada', '/test enroll')
    const token = opened.form?.token ?? ''
    const outcome = await chat.submit('ada', token, { vm: 'web-1', password: SECRETS.oneTimePassword })
    replies.push(outcome.kind === 'reply' ? plain(outcome.reply) : JSON.stringify(outcome))
    expect(replies.at(-1)).toContain('enrolled web-1')
    // The secrets really went in: a reply that refused the input names it redacted.
    expect(replies.join('\n')).toContain('[redacted]')

    const audit = JSON.stringify(await chat.audit())
    const logs = JSON.stringify(lines)
    expect(logs).toContain('enrolling with') // the careless log line was written…
    await chat.bot.store.close()
    const files = ['', '-wal', '-shm'].map((suffix) => {
      try {
        return readFileSync(`${chat.dbFile}${suffix}`, 'latin1')
      } catch {
        return ''
      }
    })
    for (const [name, secret] of Object.entries(SECRETS)) {
      // …and no sink holds any of them, whole or as the private key's body line.
      for (const needle of needlesOf(name, secret)) {
        expect(logs, `${name} in the logs`).not.toContain(needle)
        expect(audit, `${name} in the audit chain`).not.toContain(needle)
        expect(replies.join('\n'), `${name} in a reply`).not.toContain(needle)
        for (const file of files) expect(file, `${name} in the database files`).not.toContain(needle)
      }
    }
  })
})
