/**
 * The form round trip through the real dispatcher, governance and SQLite store: a command with a form
 * opens it when its arguments are missing, a submission is checked by the command's schema and comes
 * back by input, a plan's complaint about one input is shown on that input, and a secret typed into
 * the form reaches the command once — never the audit chain, the approval record or the database file.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineCommand } from '../../src/core/command.js'
import { UserError } from '../../src/core/errors.js'
import { channelReply, type Reply, type SubmitOutcome, text } from '../../src/core/reply.js'
import { isSecretHandle, SecretStash } from '../../src/core/secret-stash.js'
import { approvalIdOf, startGovernedChat } from '../helpers/governed-chat.js'

const PASSWORD = 'Tr0ub4dor&3-one-time'

/** What the test command saw when it ran: the password it read through ctx.secret, per run. */
const seen: { password: string; vm: string }[] = []

const enroll = defineCommand({
  path: 'test enroll',
  summary: 'a form-driven test command',
  args: z.object({
    vm: z.string().min(1, 'pick a VM'),
    user: z.string().regex(/^[a-z_][a-z0-9_-]*$/, 'a Unix user name: lower-case letters, digits, _ and -'),
    password: z.string().min(1).optional(),
  }),
  positional: ['vm'],
  permission: 'docker.operate',
  mutating: true,
  form: (ctx, given) => ({
    title: 'Enroll a VM',
    submitLabel: 'Enroll',
    inputs: [
      {
        kind: 'select',
        id: 'vm',
        label: 'VM',
        options: ctx.inventory.vms().map((vm) => ({ value: vm.name, label: vm.name })),
        initial: typeof given.vm === 'string' ? given.vm : undefined,
      },
      { kind: 'text', id: 'user', label: 'Guest user', initial: 'core' },
      { kind: 'text', id: 'password', label: 'One-time password', secret: true, optional: true },
    ],
  }),
  plan: (ctx, args) => {
    const found = ctx.inventory.findVm(args.vm)
    if (found.kind !== 'found') {
      throw new UserError('vm.not_found', `no VM named ${args.vm}`, { details: { field: 'vm' } })
    }
    return {
      target: { pool: found.vm.pool, vm: { name: found.vm.name, tags: found.vm.tags } },
      summary: `enroll ${found.vm.name} as ${args.user}`,
    }
  },
  run: async (ctx, args) => {
    seen.push({ vm: args.vm, password: args.password ? ctx.secret(args.password) : '' })
    return channelReply(text(`enrolled ${args.vm}`, 'success'))
  },
})

const invalid = (outcome: SubmitOutcome) => {
  if (outcome.kind !== 'invalid') throw new Error(`expected an invalid outcome, got ${JSON.stringify(outcome)}`)
  return outcome
}
const replied = (outcome: SubmitOutcome): Reply => {
  if (outcome.kind !== 'reply') throw new Error(`expected a reply, got ${JSON.stringify(outcome)}`)
  return outcome.reply
}
const formOf = (reply: Reply) => {
  if (!reply.form) throw new Error(`no form on ${JSON.stringify(reply.blocks)}`)
  return reply.form
}

describe('forms', () => {
  it('opens the form when arguments are missing, prefilled with what was typed, only for those allowed', async () => {
    const chat = await startGovernedChat({ extraCommands: [enroll], rules: {} })
    const reply = await chat.say('alice', '/test enroll web-1')
    expect(reply.visibility).toBe('ephemeral')
    const form = formOf(reply)
    expect(form.title).toBe('Enroll a VM')
    expect(form.inputs.map((i) => [i.id, i.initial])).toEqual([
      ['vm', 'web-1'],
      ['user', 'core'],
      ['password', undefined],
    ])
    // eve has no role: no form, the standard denial.
    const denied = await chat.say('eve', '/test enroll')
    expect(denied.form).toBeUndefined()
    expect(JSON.stringify(denied.blocks)).toMatch(/not allowed|may not|permission/i)
  })

  it('a bad submission comes back by input with the values kept; a plan complaint lands on its input', async () => {
    const chat = await startGovernedChat({ extraCommands: [enroll], rules: {} })
    const form = formOf(await chat.say('alice', '/test enroll'))
    const bad = invalid(await chat.submit('alice', form.token, { vm: 'web-1', user: 'Root!', password: PASSWORD }))
    expect(Object.keys(bad.errors)).toEqual(['user'])
    expect(bad.errors.user).toContain('a Unix user name')
    expect(bad.form.token).toBe(form.token)
    expect(bad.form.inputs.find((i) => i.id === 'user')?.initial).toBe('Root!')
    // The secret is never sent back to the client.
    expect(bad.form.inputs.find((i) => i.id === 'password')?.initial).toBeUndefined()

    const unknown = invalid(await chat.submit('alice', form.token, { vm: 'no-such-vm', user: 'core' }))
    expect(unknown.errors).toEqual({ vm: 'no VM named no-such-vm' })

    const ok = replied(await chat.submit('alice', form.token, { vm: 'web-1', user: 'core', password: PASSWORD }))
    expect(JSON.stringify(ok.blocks)).toContain('enrolled web-1')
    expect(seen.at(-1)).toEqual({ vm: 'web-1', password: PASSWORD })
    // A submitted form is used up.
    const again = replied(await chat.submit('alice', form.token, { vm: 'web-1', user: 'core' }))
    expect(JSON.stringify(again.blocks)).toContain('expired or was already submitted')
  })

  it('a value longer than its input takes is refused on that input, before the plan could echo it whole', async () => {
    const chat = await startGovernedChat({ extraCommands: [enroll], rules: {} })
    const form = formOf(await chat.say('alice', '/test enroll'))
    const long = invalid(await chat.submit('alice', form.token, { vm: 'v'.repeat(5_000), user: 'core' }))
    // No maxLength on the input: as much as a typed command line may hold.
    expect(long.errors).toEqual({ vm: 'that is 5000 characters long; VM takes at most 4000' })
    expect(seen).not.toContainEqual(expect.objectContaining({ vm: 'v'.repeat(5_000) }))
  })

  it("another user cannot submit someone else's form", async () => {
    const chat = await startGovernedChat({ extraCommands: [enroll], rules: {} })
    const form = formOf(await chat.say('alice', '/test enroll'))
    const reply = replied(await chat.submit('lee', form.token, { vm: 'web-1', user: 'core' }))
    expect(JSON.stringify(reply.blocks)).toContain('only alice can submit this form')
  })

  it('a secret crosses an approval as a handle and reaches the command once, and no sink holds it', async () => {
    const chat = await startGovernedChat({ extraCommands: [enroll], rules: { 'test enroll': {} } })
    const before = seen.length
    const form = formOf(await chat.say('alice', '/test enroll'))
    const card = replied(await chat.submit('alice', form.token, { vm: 'web-1', user: 'core', password: PASSWORD }))
    const id = approvalIdOf(card)
    const approved = await chat.press('bob', `${id}:approve`)
    expect(JSON.stringify(approved.blocks)).not.toContain('went wrong')
    expect(seen.slice(before)).toEqual([{ vm: 'web-1', password: PASSWORD }])

    const audit = JSON.stringify(await chat.audit())
    expect(audit).toContain('password=[secret]')
    expect(audit).not.toContain(PASSWORD)
    const stored = await chat.bot.store.approvals.get(id)
    expect(JSON.stringify(stored)).toMatch(/"password":"secret:[0-9a-f-]{36}"/)
    await chat.bot.store.close()
    for (const suffix of ['', '-wal']) {
      let bytes = ''
      try {
        bytes = readFileSync(`${chat.dbFile}${suffix}`, 'latin1')
      } catch {
        continue
      }
      expect(bytes).not.toContain(PASSWORD)
    }
  })

  it('a restart between the submission and the approval forgets the secret: the job says to run the command again', async () => {
    const chat = await startGovernedChat({ extraCommands: [enroll], rules: { 'test enroll': {} } })
    const before = seen.length
    const form = formOf(await chat.say('alice', '/test enroll'))
    const card = replied(await chat.submit('alice', form.token, { vm: 'web-1', user: 'core', password: PASSWORD }))
    const id = approvalIdOf(card)
    await chat.restart()
    const approved = await chat.press('bob', `${id}:approve`)
    expect(JSON.stringify(approved.blocks)).toContain('is no longer held')
    expect(seen.length).toBe(before)
  })
})

describe('SecretStash', () => {
  it('gives a value once, forgets unread values after the ttl, and hands out unguessable handles', () => {
    let now = 0
    const stash = new SecretStash(1_000, () => now)
    const a = stash.put('one')
    const b = stash.put('two')
    expect(a).not.toBe(b)
    expect(isSecretHandle(a)).toBe(true)
    expect(stash.take(a)).toBe('one')
    expect(stash.take(a)).toBeUndefined()
    now = 1_000
    expect(stash.take(b)).toBeUndefined()
    expect(stash.size).toBe(0)
    expect(stash.take('secret:made-up')).toBeUndefined()
  })
})
