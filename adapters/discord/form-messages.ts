/**
 * The messages around modals. Discord cannot show a problem under an input, so a rejected submission
 * is answered privately with every problem by input and a button that reopens the form with the values
 * kept (secrets blank); a page of a long form is acknowledged with a button to the next page; a form
 * that could not be opened at once (the interaction was already deferred) is offered behind a button.
 */
import { ButtonStyle, ComponentType } from 'discord.js'
import type { Form, SubmitOutcome } from '../../src/core/reply.js'
import { cut } from './command-json.js'
import { formButtonId } from './custom-ids.js'
import { escapeMarkdown } from './escape-text.js'
import type { DiscordMessage, MessageRow } from './render-message.js'
import { LIMITS } from './render-message.js'
import { pageOfInput, pagesOf } from './render-modal.js'

const formButton = (token: string, page: number, label: string): MessageRow => ({
  type: ComponentType.ActionRow,
  components: [{ type: ComponentType.Button, custom_id: formButtonId(token, page), label, style: ButtonStyle.Primary }],
})

export function invalidFormMessage(outcome: Extract<SubmitOutcome, { kind: 'invalid' }>): DiscordMessage {
  const labels = new Map(outcome.form.inputs.map((input) => [input.id, input.label]))
  const problems = Object.entries(outcome.errors).map(
    ([id, message]) => `• **${escapeMarkdown(labels.get(id) ?? id)}**: ${escapeMarkdown(message, true)}`,
  )
  const first = Object.keys(outcome.errors)[0] ?? ''
  return {
    embeds: [
      {
        title: '❌ The form was not accepted',
        color: 0xed4245,
        description: cut(problems.join('\n'), LIMITS.description),
        footer: {
          text: 'Press "Fix and resubmit" to reopen it with what you entered; secret inputs must be typed again.',
        },
      },
    ],
    components: [formButton(outcome.form.token, pageOfInput(outcome.form, first), 'Fix and resubmit')],
  }
}

export function pageSavedMessage(form: Form, page: number): DiscordMessage {
  const total = pagesOf(form).length
  return {
    embeds: [{ description: `Page ${page + 1} of ${total} of ${escapeMarkdown(form.title)} is kept.` }],
    components: [formButton(form.token, page + 1, `Continue (${page + 2} of ${total})`)],
  }
}

/** A reply carrying a form, when the modal cannot be the first answer: the form behind a button. */
export function withFormButton(message: DiscordMessage, form: Form): DiscordMessage {
  const rows = message.components.slice(0, LIMITS.rows - 1)
  return { ...message, components: [...rows, formButton(form.token, 0, 'Open the form')] }
}
