/**
 * Issue #13, injection through forms: the generated corpus (hostile-inputs.ts) against every field of
 * every form the bot opens — `/coreos create` and `/docker enable` today, and any command given a form
 * later — and YAML bombs in the cloud-config. Each submission carries exactly one hostile value over
 * values that pass, as Dispatcher.submit receives it from any adapter (the terminal's `/submit`, or a
 * request crafted past a platform's own pickers). Every hostile value gets a clear refusal — on its
 * input, or as a plain error — never a bug's "went wrong" and never an approval card; nothing reaches
 * XAPI beyond reads; and the bot still answers afterwards. The one exception is a one-time password,
 * which may be any text: it must be taken as the secret and never shown back.
 */

import ssh2 from 'ssh2'
import { describe, expect, it } from 'vitest'
import { commands } from '../../commands/index.js'
import { accessSchema } from '../../src/core/access.js'
import type { Form, SubmitOutcome } from '../../src/core/reply.js'
import { COREOS_ACCESS, filledIn } from '../helpers/coreos-chat.js'
import { GOVERNED_ACCESS, type GovernedChat, startGovernedChat } from '../helpers/governed-chat.js'
import { plain } from '../helpers/test-chat.js'
import { countXapi, HOSTILE, isBug, label, YAML_BOMBS } from './hostile-inputs.js'

const KEY = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'ada@laptop' }).public.trim()

/** Per form command: the line that opens its form, and values that pass (so one field is the only thing wrong). */
const FORMS: Readonly<Record<string, { open: string; valid: (form: Form) => Record<string, string> }>> = {
  'coreos create': {
    open: '/coreos create --pool lab-legacy',
    valid: (form) => filledIn(form, { name: 'web-3', sshKey: KEY }),
  },
  'docker enable': {
    open: '/docker enable web-1',
    valid: (form) => filledIn(form, { vm: 'web-1', user: 'core', auth: 'key' }),
  },
}

/** Inputs whose value may be any text: a one-time password is the user's, and only ever used as one. */
const ANY_TEXT: Readonly<Record<string, Record<string, string>>> = {
  'docker enable': { password: 'password' },
}

/** ada may run everything (vm.create included) and approve nothing: an accepted value shows as an approval card. */
const ACCESS = accessSchema.parse({
  roles: { ...GOVERNED_ACCESS.roles, builder: COREOS_ACCESS.roles.builder },
  subjects: GOVERNED_ACCESS.subjects,
})

async function openForm(chat: GovernedChat, path: string): Promise<Form> {
  const reply = await chat.say('ada', FORMS[path]?.open ?? '')
  if (!reply.form) throw new Error(`/${path} opened no form: ${plain(reply)}`)
  return reply.form
}

/** What is wrong with the outcome of a hostile submission ('' when it is a clear refusal). */
function notARefusal(outcome: SubmitOutcome): string {
  if (outcome.kind === 'invalid') {
    const messages = Object.values(outcome.errors)
    if (messages.length === 0 || messages.some((m) => m.trim() === '')) return 'refused without saying why'
    const long = messages.find((m) => m.length > 1_000)
    return long ? `a refusal of ${long.length} chars` : ''
  }
  const { reply } = outcome
  if (isBug(reply)) return `a bug: ${plain(reply)}`
  const first = reply.blocks[0]
  if (reply.visibility !== 'ephemeral' || first?.kind !== 'text' || first.style !== 'error')
    return `accepted: ${plain(reply).slice(0, 160)}`
  return plain(reply).length > 1_000 ? `a refusal of ${plain(reply).length} chars` : ''
}

/** The reply is an approval card: the submission was accepted and waits for an approver. */
const asksApproval = (outcome: SubmitOutcome) =>
  outcome.kind === 'reply' &&
  outcome.reply.blocks.some((b) => b.kind === 'actions' && b.actions.some((a) => a.token.endsWith(':approve')))

const formCommands = commands.filter((c) => c.form).map((c) => c.path)

describe('injection corpus against every form field', () => {
  it('covers every command that has a form', () => {
    expect(Object.keys(FORMS).sort()).toEqual([...formCommands].sort())
  })

  it.each(formCommands)(
    '/%s: the values the suite builds on pass, so each hostile one is all that is wrong',
    async (path) => {
      const chat = await startGovernedChat({ access: ACCESS, rules: { [path]: {} } })
      const form = await openForm(chat, path)
      const outcome = await chat.submit('ada', form.token, FORMS[path]?.valid(form) ?? {})
      expect(asksApproval(outcome), JSON.stringify(outcome).slice(0, 300)).toBe(true)
    },
  )

  it.each(formCommands)(
    '/%s: every hostile value in every field is refused plainly, and nothing but reads reaches XAPI',
    async (path) => {
      // An approval rule, so a value wrongly accepted shows as an approval card instead of building anything.
      const chat = await startGovernedChat({ access: ACCESS, rules: { [path]: {} } })
      const xapi = countXapi(chat.sim.pools.map((p) => p.pool))
      const fields = (await openForm(chat, path)).inputs.map((i) => i.id)
      expect(fields.length).toBeGreaterThan(1)
      const failures: string[] = []
      for (const field of fields) {
        const anyText = ANY_TEXT[path]?.[field] !== undefined
        for (const hostile of HOSTILE) {
          const form = await openForm(chat, path)
          const values = {
            ...FORMS[path]?.valid(form),
            ...(anyText ? { auth: ANY_TEXT[path]?.[field] ?? '' } : {}),
            [field]: hostile,
          }
          const outcome = await chat.submit('ada', form.token, values)
          if (anyText && asksApproval(outcome)) {
            // Taken as the secret: never shown back (short values like "*" appear in any reply anyway).
            if (hostile.length >= 6 && JSON.stringify(outcome).includes(hostile))
              failures.push(`${field}=${label(hostile)} was shown back`)
            continue
          }
          const problem = notARefusal(outcome)
          if (problem) failures.push(`${field}=${label(hostile)}: ${problem}`)
        }
      }
      expect(failures).toEqual([])
      expect(xapi.acted(), `/${path} reached XAPI beyond reading`).toEqual([])
      expect(plain(await chat.say('ada', '/docker ps web-1'))).toContain('nginx-front')
    },
  )

  it.each(YAML_BOMBS)('/coreos create: a cloud-config with $kind is refused on its input', async ({ text }) => {
    const chat = await startGovernedChat({ access: ACCESS, rules: { 'coreos create': {} } })
    const xapi = countXapi(chat.sim.pools.map((p) => p.pool))
    const form = await openForm(chat, 'coreos create')
    const outcome = await chat.submit('ada', form.token, { ...FORMS['coreos create']?.valid(form), cloudConfig: text })
    expect(outcome.kind, JSON.stringify(outcome).slice(0, 300)).toBe('invalid')
    if (outcome.kind !== 'invalid') return
    expect(Object.keys(outcome.errors)).toEqual(['cloudConfig'])
    expect(outcome.errors.cloudConfig).toMatch(/cloud-config|64 KiB/)
    expect(outcome.errors.cloudConfig?.length).toBeLessThan(500)
    expect(xapi.acted()).toEqual([])
    expect(plain(await chat.say('ada', '/docker ps web-1'))).toContain('nginx-front')
  })
})
