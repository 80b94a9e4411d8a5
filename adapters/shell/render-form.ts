/**
 * A form in the terminal: the inputs listed with their current values, and the one line that submits
 * it (`/submit <token> name=web-3 ssh_key="ssh-ed25519 …"`); inputs left out keep the value shown.
 * Multi-line defaults (a cloud-config) are summarised, not printed whole.
 */
import type { Form, SubmitOutcome } from '../../src/core/reply.js'
import { sanitize } from './render-text.js'

const preview = (value: string) => {
  const lines = value.split('\n')
  const first = sanitize(lines[0] ?? '')
  return lines.length > 1 ? `${first} … (${lines.length} lines)` : first
}

export function renderForm(form: Form): string {
  const lines = [`form ${form.token}: ${sanitize(form.title)}`]
  const width = Math.max(...form.inputs.map((i) => i.id.length))
  for (const input of form.inputs) {
    const flags = [input.optional ? 'optional' : 'required', input.kind === 'text' && input.secret ? 'secret' : '']
    const choices = input.kind === 'select' ? ` one of: ${input.options.map((o) => sanitize(o.value)).join(', ')}` : ''
    const current = input.initial !== undefined && input.initial !== '' ? ` [${preview(input.initial)}]` : ''
    lines.push(
      `  ${input.id.padEnd(width)}  ${sanitize(input.label)} (${flags.filter(Boolean).join(', ')})${choices}${current}`,
    )
    if (input.hint) lines.push(`  ${''.padEnd(width)}  ${sanitize(input.hint)}`)
  }
  lines.push(`submit with: /submit ${form.token} ${form.inputs.map((i) => `${i.id}=…`).join(' ')}`)
  lines.push('(inputs left out keep the value in brackets; quote values with spaces)')
  return lines.join('\n')
}

export function renderInvalid(outcome: Extract<SubmitOutcome, { kind: 'invalid' }>): string {
  const problems = Object.entries(outcome.errors).map(([id, message]) => `  ${id}: ${sanitize(message)}`)
  return ['✗ The form was not accepted:', ...problems, renderForm(outcome.form)].join('\n')
}
