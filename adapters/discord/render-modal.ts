/**
 * Form → Discord modal(s). A modal holds at most 5 inputs, so a longer form is shown as pages of 5:
 * each page but the last is kept by the adapter when submitted (form-cache.ts) and answered with a
 * "Continue" button (Discord cannot open a modal from a modal submission), and the dispatcher sees one
 * submission with every value once the last page is in. Each input is a Label (title ≤ 45, hint ≤ 100)
 * around a text input or, for up to 25 choices, a string select; a select with more choices becomes a
 * text input that names them. Discord has no password input: a secret input says so in its hint and is
 * never prefilled.
 */
import {
  type APIComponentInLabel,
  type APILabelComponent,
  type APIModalInteractionResponseCallbackData,
  ComponentType,
  TextInputStyle,
} from 'discord.js'
import type { Form, FormInput } from '../../src/core/reply.js'
import { cut } from './command-json.js'
import { modalId } from './custom-ids.js'
import { plainLine, plainLines } from './escape-text.js'

export const MODAL_INPUTS = 5
const TITLE_MAX = 45
const LABEL_MAX = 45
const HINT_MAX = 100
const PLACEHOLDER_MAX = 100
const VALUE_MAX = 4000
const SELECT_OPTIONS_MAX = 25
const OPTION_TEXT_MAX = 100

const SECRET_HINT = 'Discord shows what you type here; it is used once and never stored.'

/** The form's inputs in pages of at most 5. */
export function pagesOf(form: Pick<Form, 'inputs'>): FormInput[][] {
  const pages: FormInput[][] = []
  for (let i = 0; i < form.inputs.length; i += MODAL_INPUTS) pages.push(form.inputs.slice(i, i + MODAL_INPUTS))
  return pages.length > 0 ? pages : [[]]
}

/** The page an input is on (for "fix and resubmit": reopen where the first problem is). */
export function pageOfInput(form: Pick<Form, 'inputs'>, id: string): number {
  const index = form.inputs.findIndex((i) => i.id === id)
  return index < 0 ? 0 : Math.floor(index / MODAL_INPUTS)
}

export const fitsSelect = (input: FormInput): boolean =>
  input.kind === 'select' &&
  input.options.length <= SELECT_OPTIONS_MAX &&
  input.options.every((o) => o.value.length <= OPTION_TEXT_MAX)

function hintOf(input: FormInput): string | undefined {
  const parts = [input.hint, input.kind === 'text' && input.secret ? SECRET_HINT : undefined]
  if (input.kind === 'select' && !fitsSelect(input))
    parts.push(`one of: ${input.options.map((o) => o.value).join(', ')}`)
  const hint = parts.filter((p) => p !== undefined && p !== '').join(' ')
  return hint ? cut(plainLine(hint), HINT_MAX) : undefined
}

function componentOf(input: FormInput, value: string | undefined): APIComponentInLabel {
  if (input.kind === 'select' && fitsSelect(input)) {
    return {
      type: ComponentType.StringSelect,
      custom_id: input.id,
      required: !input.optional,
      min_values: input.optional ? 0 : 1,
      max_values: 1,
      options: input.options.map((o) => ({
        label: cut(plainLine(o.label), OPTION_TEXT_MAX) || o.value,
        value: o.value,
        ...(o.value === value ? { default: true } : {}),
      })),
    }
  }
  const multiline = input.kind === 'text' && input.multiline === true
  const placeholder = input.kind === 'text' ? input.placeholder : undefined
  const maxLength = Math.min(input.kind === 'text' ? (input.maxLength ?? VALUE_MAX) : VALUE_MAX, VALUE_MAX)
  const secret = input.kind === 'text' && input.secret === true
  const prefill = !secret && value !== undefined && value !== '' ? plainLines(value).slice(0, maxLength) : undefined
  return {
    type: ComponentType.TextInput,
    custom_id: input.id,
    style: multiline ? TextInputStyle.Paragraph : TextInputStyle.Short,
    required: !input.optional,
    max_length: maxLength,
    ...(prefill === undefined ? {} : { value: prefill }),
    ...(placeholder ? { placeholder: cut(plainLine(placeholder), PLACEHOLDER_MAX) } : {}),
  }
}

/**
 * Page `page` of the form as a modal. `values` are what the user entered before (kept across pages and
 * after a rejected submission); inputs without one show the form's own initial value.
 */
export function modalFor(
  form: Form,
  page: number,
  values: Readonly<Record<string, string>> = {},
): APIModalInteractionResponseCallbackData {
  const pages = pagesOf(form)
  const inputs = pages[page] ?? []
  const title = pages.length > 1 ? `${plainLine(form.title)} (${page + 1}/${pages.length})` : plainLine(form.title)
  return {
    custom_id: modalId(form.token, page),
    title: cut(title, TITLE_MAX) || 'Form',
    components: inputs.map((input): APILabelComponent => {
      const hint = hintOf(input)
      return {
        type: ComponentType.Label,
        label: cut(plainLine(input.label), LABEL_MAX) || input.id,
        ...(hint ? { description: hint } : {}),
        component: componentOf(input, values[input.id] ?? input.initial),
      }
    }),
  }
}
