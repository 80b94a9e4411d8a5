/**
 * Form → a Slack modal (pure), and back: the submitted view state → values by input id, and the
 * options an external select offers for what the user typed. Block ids are the form's input ids, so
 * `response_action: errors` can put each problem under its input. Select option values are indexes
 * into the form's own option list (`o3`), translated back on submission: values stay short whatever
 * the VM names are, and a value the form never offered cannot be submitted.
 */
import type { types } from '@slack/bolt'
import type { Form, FormInput } from '../../src/core/reply.js'
import { rankBy } from '../../src/core/suggestions.js'
import { FORM_CALLBACK, INPUT_ACTION } from './action-ids.js'
import { LIMITS } from './block-limits.js'
import { cutPlain } from './escape-mrkdwn.js'

const plain = (text: string, max: number): types.PlainTextElement => ({
  type: 'plain_text',
  text: cutPlain(text, max),
  emoji: true,
})

type SelectInput = Extract<FormInput, { kind: 'select' }>
type SelectOption = SelectInput['options'][number]

const SECRET_HINT = 'Used once for this request; never stored, logged or shown again.'

const optionOf = (option: SelectOption, index: number): types.PlainTextOption => ({
  text: plain(option.label, LIMITS.optionText),
  value: `o${index}`,
})

function selectElement(input: SelectInput): types.StaticSelect | types.ExternalSelect {
  const index = input.options.findIndex((o) => o.value === input.initial)
  const initial = index >= 0 ? { initial_option: optionOf(input.options[index] as SelectOption, index) } : {}
  const placeholder = plain('Choose…', LIMITS.placeholder)
  if (input.options.length <= LIMITS.staticOptions) {
    return {
      type: 'static_select',
      action_id: INPUT_ACTION,
      placeholder,
      options: input.options.map(optionOf),
      ...initial,
    }
  }
  // Too many to list: Slack asks as the user types (block_suggestion), answered from this form's options.
  return { type: 'external_select', action_id: INPUT_ACTION, placeholder, min_query_length: 0, ...initial }
}

function textElement(input: Extract<FormInput, { kind: 'text' }>): types.PlainTextInput {
  const initial = input.secret ? undefined : input.initial
  const maxLength = Math.min(input.maxLength ?? LIMITS.plainInputLength, LIMITS.plainInputLength)
  return {
    type: 'plain_text_input',
    action_id: INPUT_ACTION,
    multiline: input.multiline === true,
    max_length: maxLength,
    ...(initial !== undefined && initial !== '' ? { initial_value: initial.slice(0, maxLength) } : {}),
    ...(input.placeholder ? { placeholder: plain(input.placeholder, LIMITS.placeholder) } : {}),
  }
}

function inputBlock(input: FormInput): types.InputBlock {
  const secret = input.kind === 'text' && input.secret === true
  const hint = [input.hint, secret ? SECRET_HINT : undefined].filter(Boolean).join(' ')
  return {
    type: 'input',
    block_id: input.id.slice(0, LIMITS.blockId),
    optional: input.optional === true,
    label: plain(input.label, LIMITS.inputLabel),
    ...(hint ? { hint: plain(hint, LIMITS.inputHint) } : {}),
    element: input.kind === 'select' ? selectElement(input) : textElement(input),
  }
}

export function formToView(form: Form): types.ModalView {
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK,
    // Only the token: which command and whose form it is stay on the server.
    private_metadata: form.token,
    title: plain(form.title, LIMITS.modalTitle),
    submit: plain(form.submitLabel, LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    blocks: form.inputs.slice(0, LIMITS.modalBlocks).map(inputBlock),
  }
}

/** The state of a submitted view, as Slack sends it: block id → action id → value. */
export type ViewValues = Readonly<
  Record<
    string,
    Readonly<
      Record<string, { readonly value?: string | null; readonly selected_option?: { readonly value: string } | null }>
    >
  >
>

/** Values by input id; a select's `oN` becomes the form's own value N (anything else is dropped). */
export function valuesOfView(form: Form, state: ViewValues): Record<string, string> {
  const values: Record<string, string> = {}
  for (const input of form.inputs) {
    const entry = state[input.id]?.[INPUT_ACTION]
    if (!entry) continue
    if (input.kind === 'text') {
      if (typeof entry.value === 'string') values[input.id] = entry.value
      continue
    }
    const picked = /^o(\d+)$/.exec(entry.selected_option?.value ?? '')
    const option = picked ? input.options[Number(picked[1])] : undefined
    if (option) values[input.id] = option.value
  }
  return values
}

/** What an external select offers for `query`: the form's options ranked by name, at most 100. */
export function suggestOptions(form: Form, inputId: string, query: string): types.PlainTextOption[] {
  const input = form.inputs.find((i): i is SelectInput => i.kind === 'select' && i.id === inputId)
  if (!input) return []
  const indexed = input.options.map((option, index) => ({ option, index }))
  const ranked =
    query.trim() === '' ? indexed : rankBy(indexed, query.trim(), (o) => o.option.label).map(({ item }) => item)
  return ranked.slice(0, LIMITS.staticOptions).map(({ option, index }) => optionOf(option, index))
}

/** Problems by block id for `response_action: errors` (one short sentence per input). */
export function viewErrors(form: Form, errors: Readonly<Record<string, string>>): Record<string, string> {
  const ids = new Set(form.inputs.map((i) => i.id))
  const first = form.inputs[0]?.id
  const out: Record<string, string> = {}
  for (const [id, message] of Object.entries(errors)) {
    const key = ids.has(id) ? id : first
    if (key === undefined) continue
    const text = cutPlain(message, 300)
    out[key] = out[key] ? cutPlain(`${out[key]}; ${text}`, 300) : text
  }
  return out
}
