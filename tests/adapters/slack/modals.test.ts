/**
 * Forms as Slack modals, through the real bolt App and dispatcher: a command asks for its arguments
 * with a form, the modal opens with the command's trigger id, an external select is answered from the
 * asker's own form, a bad submission is answered inline under its input, a good one proceeds, a slow
 * one closes the modal and answers when done, and an expired trigger gets a button that opens the form.
 * A test command with a form is registered here (no real command has one yet on this branch).
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineCommand } from '../../../src/core/command.js'
import { UserError } from '../../../src/core/errors.js'
import { channelReply, text } from '../../../src/core/reply.js'
import { allEntries } from '../../helpers/audit-entries.js'
import { expectWithinLimits, type SlackBot, startSlackBot, textOf } from './slack-bot.js'

const PASSWORD = 'Tr0ub4dor&3-once'
/** What the command saw when it ran, per run. */
const seen: { vm: string; user: string; slot: string; password: string }[] = []
const SLOTS = Array.from({ length: 120 }, (_, i) => `slot-${String(i + 1).padStart(3, '0')}`)

/** Holds the plan of a submission with user "slow" until released. */
let releaseSlow: () => void = () => undefined

const enroll = defineCommand({
  path: 'test enroll',
  summary: 'a form-driven test command',
  args: z.object({
    vm: z.string().min(1, 'pick a VM'),
    user: z.string().regex(/^[a-z_][a-z0-9_-]*$/, 'a Unix user name: lower-case letters, digits, _ and -'),
    slot: z.enum(SLOTS as [string, ...string[]]),
    password: z.string().min(1).optional(),
  }),
  positional: ['vm'],
  permission: 'docker.operate',
  mutating: true,
  form: (ctx, given) => ({
    title: 'Enroll a VM in the fleet',
    submitLabel: 'Enroll',
    inputs: [
      {
        kind: 'select',
        id: 'vm',
        label: 'VM',
        options: ctx.inventory.vms().map((vm) => ({ value: vm.name, label: `${vm.name} (${vm.pool})` })),
        initial: typeof given.vm === 'string' ? given.vm : undefined,
      },
      { kind: 'text', id: 'user', label: 'Guest user', initial: 'core' },
      { kind: 'select', id: 'slot', label: 'Slot', options: SLOTS.map((s) => ({ value: s, label: s })) },
      { kind: 'text', id: 'password', label: 'One-time password', secret: true, optional: true },
    ],
  }),
  plan: async (ctx, args) => {
    if (args.user === 'slow') await new Promise<void>((resolve) => (releaseSlow = resolve))
    const found = ctx.inventory.findVm(args.vm)
    if (found.kind !== 'found')
      throw new UserError('vm.not_found', `no VM named ${args.vm}`, { details: { field: 'vm' } })
    return {
      target: { pool: found.vm.pool, vm: { name: found.vm.name, tags: found.vm.tags } },
      summary: `enroll ${found.vm.name} as ${args.user}`,
    }
  },
  run: async (ctx, args) => {
    seen.push({
      vm: args.vm,
      user: args.user,
      slot: args.slot,
      password: args.password ? ctx.secret(args.password) : '',
    })
    return channelReply(text(`enrolled ${args.vm} in ${args.slot}`, 'success'))
  },
})

/** Opens the form with `/test enroll web-1` and returns the modal as the fake stored it (with its id). */
async function openEnroll(bot: SlackBot): Promise<Record<string, unknown>> {
  const before = bot.slack.callsOf('views.open').length
  await bot.command('alice', '/test enroll web-1')
  const call = await bot.slack.until(() => bot.slack.callsOf('views.open')[before], 'views.open')
  const view = call.result.view as Record<string, unknown> | undefined
  if (!view) throw new Error(`views.open failed: ${call.error}`)
  return view
}

describe('forms as modals', () => {
  it('opens the modal, answers the external select, shows a bad submission inline, runs a good one', async () => {
    const bot = await startSlackBot({ extraCommands: [enroll] })
    const view = await openEnroll(bot)
    const blocks = view.blocks as { block_id: string; element: Record<string, unknown> }[]
    expect(blocks.map((b) => [b.block_id, b.element.type])).toEqual([
      ['vm', 'static_select'],
      ['user', 'plain_text_input'],
      ['slot', 'external_select'],
      ['password', 'plain_text_input'],
    ])
    expect(JSON.stringify(blocks[0]?.element.initial_option)).toContain('web-1 (lab-legacy)')
    expect(blocks[3]?.element.initial_value).toBeUndefined()

    // 120 slots are too many to list: Slack asks as alice types, and only alice's form answers.
    const options = (await bot.suggest('alice', String(view.id), 'slot', 'slot-11')).options as {
      text: { text: string }
    }[]
    expect(options.map((o) => o.text.text).slice(0, 3)).toEqual(['slot-110', 'slot-111', 'slot-112'])
    expect(options.length).toBeLessThanOrEqual(100)
    expect((await bot.suggest('eve', String(view.id), 'slot', 'slot')).options).toEqual([])

    type Option = { value: string; text: { text: string } }
    const suggested = (await bot.suggest('alice', String(view.id), 'slot', 'slot-042')).options as Option[]
    const slot = suggested.find((o) => o.text.text === 'slot-042')?.value ?? ''
    const vmValue = ((blocks[0]?.element.options ?? []) as Option[]).find((o) =>
      o.text.text.startsWith('web-1 '),
    )?.value
    const bad = await bot.submit('alice', String(view.id), {
      vm: { option: vmValue ?? '' },
      user: 'Root!',
      slot: { option: slot },
      password: PASSWORD,
    })
    expect(bad).toEqual({ response_action: 'errors', errors: { user: expect.stringContaining('a Unix user name') } })
    expect(seen.filter((s) => s.password === PASSWORD)).toEqual([])

    const good = await bot.submit('alice', String(view.id), {
      vm: { option: vmValue ?? '' },
      user: 'core',
      slot: { option: slot },
      password: PASSWORD,
    })
    expect(good).toEqual({})
    const result = await bot.slack.until(
      () => bot.posted().find((m) => textOf(m.blocks).includes('enrolled web-1')),
      'the result',
    )
    expect(textOf(result.blocks)).toContain('enrolled web-1 in slot-042')
    expect(seen.at(-1)).toEqual({ vm: 'web-1', user: 'core', slot: 'slot-042', password: PASSWORD })
    // The one-time password went from Slack to the command, and nowhere else: not back to Slack, not to the audit.
    expect(JSON.stringify([bot.slack.calls, bot.slack.responses])).not.toContain(PASSWORD)
    expect(JSON.stringify(await allEntries(bot.app.store.audit))).not.toContain(PASSWORD)
    expectWithinLimits(bot.slack)
  })

  it('closes the modal of a slow submission and answers in the channel when it is done', async () => {
    const bot = await startSlackBot({ extraCommands: [enroll], submitAckMs: 100 })
    const view = await openEnroll(bot)
    const vm = (
      (view.blocks as { element: { options?: { value: string; text: { text: string } }[] } }[])[0]?.element.options ??
      []
    ).find((o) => o.text.text.startsWith('web-1 '))?.value
    const ack = await bot.submit('alice', String(view.id), {
      vm: { option: vm ?? '' },
      user: 'slow',
      slot: { option: 'o0' },
    })
    // Answered (the modal closes) while the plan is still held.
    expect(ack).toEqual({})
    expect(bot.posted().some((m) => textOf(m.blocks).includes('enrolled'))).toBe(false)
    releaseSlow()
    const result = await bot.slack.until(
      () => bot.posted().find((m) => textOf(m.blocks).includes('enrolled web-1')),
      'the result',
    )
    expect(textOf(result.blocks)).toContain('slot-001')
    expectWithinLimits(bot.slack)
  })

  it('offers a button that opens the form when the trigger has expired', async () => {
    const bot = await startSlackBot({ extraCommands: [enroll] })
    // The command's trigger is already expired when the bot uses it (an answer more than 3 s late).
    bot.slack.triggersExpire = true
    const { payload } = await bot.command('alice', '/test enroll web-1')
    bot.slack.triggersExpire = false
    const prompt = await bot.slack.until(
      () =>
        bot.answersTo(payload.response_url).find((r) => textOf(r.body.blocks as unknown[]).includes('Open the form')),
      'the open-the-form button',
    )
    expect(bot.slack.callsOf('views.open')[0]?.error).toBe('expired_trigger_id')
    // Only alice may open it; her press carries a fresh trigger.
    await bot.pressEphemeral('eve', prompt, 'Open the form')
    await bot.slack.until(
      () =>
        bot.slack.responses.find((r) =>
          textOf(r.body.blocks as unknown[]).includes('Only the person who ran the command'),
        ),
      'eve refused',
    )
    await bot.pressEphemeral('alice', prompt, 'Open the form')
    const opened = await bot.slack.until(
      () => bot.slack.callsOf('views.open').find((c) => c.status === 200 && !c.error),
      'the modal',
    )
    expect(JSON.stringify(opened.params.view)).toContain('Enroll a VM in the')
    expectWithinLimits(bot.slack)
  })
})
