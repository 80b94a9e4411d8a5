/**
 * Forms as Discord modals, through the real discord.js Client: a command with a form opens a modal as
 * its first answer (no deferral: Discord allows a modal only then); a submission with an error is
 * answered privately with each problem and a button that reopens the modal with the values kept
 * (never the secret); the fixed submission runs the command. A form with more than 5 inputs is shown
 * as pages of 5, joined into one submission.
 */
import { MessageFlags } from 'discord.js'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineCommand } from '../../../src/core/command.js'
import { channelReply, fields, text } from '../../../src/core/reply.js'
import { buttonId, type DiscordChat, startDiscordChat, textOf } from '../../helpers/discord-chat.js'
import type { FakeMessage, InteractionState } from '../../helpers/fake-discord/fake-discord.js'
import { chatInput, pressButton, submitModal } from '../../helpers/fake-discord/fake-interactions.js'

const PASSWORD = 'Tr0ub4dor&3-one-time'
const seen: { vm: string; user: string; password: string }[] = []

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
        options: ctx.inventory.vms({ pool: 'lab-legacy' }).map((vm) => ({ value: vm.name, label: vm.name })),
        initial: typeof given.vm === 'string' ? given.vm : undefined,
      },
      { kind: 'text', id: 'user', label: 'Guest user', initial: 'core', hint: 'the account to enroll' },
      { kind: 'text', id: 'password', label: 'One-time password', secret: true, optional: true },
    ],
  }),
  plan: (ctx, args) => {
    const found = ctx.inventory.findVm(args.vm)
    if (found.kind !== 'found') throw new Error(`no VM ${args.vm}`)
    return {
      target: { pool: found.vm.pool, vm: { name: found.vm.name, tags: found.vm.tags } },
      summary: `enroll ${found.vm.name} as ${args.user}`,
    }
  },
  run: async (ctx, args) => {
    seen.push({ vm: args.vm, user: args.user, password: args.password ? ctx.secret(args.password) : '' })
    return channelReply(text(`enrolled ${args.vm} as ${args.user}`, 'success'))
  },
})

const SURVEY_INPUTS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'] as const
const survey = defineCommand({
  path: 'test survey',
  summary: 'a form with seven inputs',
  args: z.object({
    ...Object.fromEntries(SURVEY_INPUTS.map((id) => [id, z.string().min(1)])),
    g: z.string().regex(/^\d+$/, 'digits only'),
  }),
  permission: 'docker.read',
  mutating: false,
  form: () => ({
    title: 'Seven questions',
    submitLabel: 'Send',
    inputs: SURVEY_INPUTS.map((id) => ({ kind: 'text' as const, id, label: `Question ${id}` })),
  }),
  plan: () => ({}),
  run: async (_ctx, args) => channelReply(fields(args as Record<string, string>)),
})

interface Modal {
  custom_id: string
  title: string
  components: { type: number; label: string; description?: string; component: Record<string, unknown> }[]
}

const modalOf = async (discord: DiscordChat, interaction: InteractionState) => {
  const callback = await discord.callback(interaction)
  expect(callback.body).toMatchObject({ type: 9 })
  return (callback.body as { data: Modal }).data
}

const inputOf = (modal: Modal, id: string) => {
  const label = modal.components.find((c) => c.component.custom_id === id)
  if (!label) throw new Error(`no input ${id} in ${JSON.stringify(modal)}`)
  return label
}

describe('Discord modals', () => {
  it('opens the form as a modal, lists the problems of a bad submission, reopens it with the values, then runs', async () => {
    const discord = await startDiscordChat({ extraCommands: [enroll], rules: {}, editIntervalMs: 0 })
    const { fake, users } = discord
    const open = chatInput(fake, users.alice, 'test', [{ name: 'enroll', type: 1, options: [] }])
    const modal = await modalOf(discord, open)
    expect(modal.custom_id).toMatch(/^m:[a-z0-9]{12}:0$/)
    expect(modal.title).toBe('Enroll a VM')
    expect(modal.components.length).toBeLessThanOrEqual(5)
    expect(modal.components.every((c) => c.type === 18 && c.label.length <= 45)).toBe(true)
    expect(inputOf(modal, 'vm').component).toMatchObject({ type: 3, required: true })
    expect(inputOf(modal, 'user').component).toMatchObject({ type: 4, value: 'core', required: true })
    expect(inputOf(modal, 'user').description).toBe('the account to enroll')
    expect(inputOf(modal, 'password').component).not.toHaveProperty('value')
    expect(inputOf(modal, 'password').description).toMatch(/used once and never stored/)

    const bad = submitModal(fake, users.alice, modal.custom_id, { vm: ['web-1'], user: 'Root!', password: PASSWORD })
    expect((await discord.callback(bad)).body).toMatchObject({ type: 5 })
    const problems = await discord.next(
      (r) => r.method === 'POST' && r.path === `/webhooks/${fake.appId}/${bad.token}`,
      'the problems, privately',
    )
    expect(problems.body).toMatchObject({ flags: MessageFlags.Ephemeral })
    expect(JSON.stringify(problems.body)).toContain('Guest user')
    expect(JSON.stringify(problems.body)).toContain('a Unix user name')
    expect(JSON.stringify(problems.body)).not.toContain(PASSWORD)
    // The public thinking message was removed before the private answer.
    expect(fake.requests.some((r) => r.method === 'DELETE' && r.path.includes(bad.token))).toBe(true)
    const problemMessage = [...fake.messages.values()].find((m) =>
      textOf(m).includes('a Unix user name'),
    ) as FakeMessage
    expect(problemMessage.flags).toBe(MessageFlags.Ephemeral)

    const reopen = pressButton(fake, users.alice, buttonId(problemMessage, 'Fix and resubmit'), problemMessage)
    const again = await modalOf(discord, reopen)
    expect(again.custom_id).toBe(modal.custom_id)
    expect(inputOf(again, 'user').component).toMatchObject({ value: 'Root!' })
    expect(inputOf(again, 'password').component).not.toHaveProperty('value')
    const vmOptions = inputOf(again, 'vm').component.options as { value: string; default?: boolean }[]
    expect(vmOptions.find((o) => o.default)?.value).toBe('web-1')

    const fixed = submitModal(fake, users.alice, again.custom_id, { vm: ['web-1'], user: 'core', password: PASSWORD })
    await discord.next(
      (r) => r.method === 'POST' && r.path === `/webhooks/${fake.appId}/${fixed.token}`,
      'the result after the job card',
    )
    const messages = fake.requests.filter((r) => r.path.includes(fixed.token)).map((r) => JSON.stringify(r.body ?? ''))
    expect(messages.join('\n')).toContain('enrolled web-1 as core')
    expect(messages.join('\n')).not.toContain(PASSWORD)
    expect(seen.at(-1)).toEqual({ vm: 'web-1', user: 'core', password: PASSWORD })
  })

  it('shows a form of seven inputs as two modals, submits the values together, and reopens only the page to fix', async () => {
    const discord = await startDiscordChat({ extraCommands: [survey], rules: {} })
    const { fake, users } = discord
    const first = await modalOf(
      discord,
      chatInput(fake, users.alice, 'test', [{ name: 'survey', type: 1, options: [] }]),
    )
    expect(first.title).toBe('Seven questions (1/2)')
    expect(first.components.map((c) => c.component.custom_id)).toEqual(['a', 'b', 'c', 'd', 'e'])

    const page1 = submitModal(fake, users.alice, first.custom_id, { a: '1', b: '2', c: '3', d: '4', e: '5' })
    const kept = await discord.callback(page1)
    expect(kept.body).toMatchObject({ type: 4, data: { flags: MessageFlags.Ephemeral } })
    const keptMessage = discord.original(page1)
    const second = await modalOf(
      discord,
      pressButton(fake, users.alice, buttonId(keptMessage, 'Continue (2 of 2)'), keptMessage),
    )
    expect(second.title).toBe('Seven questions (2/2)')
    expect(second.components.map((c) => c.component.custom_id)).toEqual(['f', 'g'])

    // A problem on the second page: only that page is reopened, and the first page's values still count.
    const wrong = submitModal(fake, users.alice, second.custom_id, { f: '6', g: 'seven' })
    const problems = await discord.next(
      (r) => r.method === 'POST' && r.path === `/webhooks/${fake.appId}/${wrong.token}`,
      'the problem',
    )
    expect(JSON.stringify(problems.body)).toContain('digits only')
    const problemMessage = [...fake.messages.values()].find((m) => textOf(m).includes('digits only')) as FakeMessage
    const fix = await modalOf(
      discord,
      pressButton(fake, users.alice, buttonId(problemMessage, 'Fix and resubmit'), problemMessage),
    )
    expect(fix.custom_id).toBe(second.custom_id)
    expect(fix.components.find((c) => c.component.custom_id === 'g')?.component).toMatchObject({ value: 'seven' })

    const page2 = submitModal(fake, users.alice, fix.custom_id, { f: '6', g: '7' })
    await discord.next((r) => r.method === 'PATCH' && r.path.includes(page2.token), 'the answer')
    const answer = textOf(discord.original(page2))
    for (const [i, id] of SURVEY_INPUTS.entries()) expect(answer).toContain(`**${id}**: ${i + 1}`)
  })
})
