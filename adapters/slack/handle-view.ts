/**
 * A modal submitted (view_submission) and an external select asking for options (block_suggestion).
 * A submission must be answered within three seconds, and only that answer can put problems under the
 * inputs (`response_action: errors`). The values are checked by the command's schema at once, so a
 * bad submission is answered inline; a good one may go on to run a job, which takes as long as it
 * takes. So the submission is given `submitAckMs`: answered inline if it is done by then, otherwise the
 * modal closes and the outcome follows in the channel (or privately, with a button to fix the form).
 */
import type { BlockSuggestion, ViewSubmitAction } from '@slack/bolt'
import { context, privateReply, type SubmitOutcome, text } from '../../src/core/reply.js'
import { interactionIdOf, type SlackRuntime } from './slack-runtime.js'
import { formPromptMessage } from './to-blocks.js'
import { suggestOptions, valuesOfView, viewErrors } from './to-modal.js'

export type ViewAck = (response?: Record<string, unknown>) => Promise<void>

const LATE = Symbol('late')

export async function onViewSubmission(rt: SlackRuntime, body: ViewSubmitAction, ack: ViewAck): Promise<void> {
  const token = body.view.private_metadata
  const entry = rt.forms.get(token)
  if (!entry) {
    const first = body.view.blocks.find((b) => typeof b.block_id === 'string')?.block_id
    await ack(
      first
        ? {
            response_action: 'errors',
            errors: { [first]: 'This form has expired; close it and run the command again.' },
          }
        : undefined,
    )
    return
  }
  const convo = rt.conversation({ channel: entry.channel, userId: body.user.id, responseUrl: entry.responseUrl })
  const values = valuesOfView(entry.form, body.view.state.values)
  const outcome = (async (): Promise<SubmitOutcome> => {
    const actor = await rt.actorOf(body.user.id, body.user.name)
    return rt.dispatcher.submit({
      actor,
      token,
      values,
      status: convo.status,
      interactionId: interactionIdOf(body.trigger_id),
    })
  })()
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<typeof LATE>((resolve) => {
    timer = setTimeout(() => resolve(LATE), rt.submitAckMs)
  })
  const first = await Promise.race([outcome, late]).finally(() => clearTimeout(timer))
  if (first !== LATE && first.kind === 'invalid') {
    rt.forms.replace(first.form)
    await ack({ response_action: 'errors', errors: viewErrors(first.form, first.errors) })
    return
  }
  await ack()
  const result = first === LATE ? await outcome : first
  if (result.kind === 'reply') {
    rt.forms.forget(token)
    await convo.reply(result.reply)
    return
  }
  // Checked too late to show under the inputs: said privately, with the form (values kept) to reopen.
  rt.forms.replace(result.form)
  const labels = new Map(result.form.inputs.map((i) => [i.id, i.label]))
  const problems = privateReply(
    text(`${result.form.title}: not accepted`, 'error'),
    ...Object.entries(result.errors).map(([id, message]) => text(`${labels.get(id) ?? id}: ${message}`)),
    context('Open the form again to fix it; what you typed is kept (secrets excepted).'),
  )
  await convo.ephemeralMessage(formPromptMessage(problems, result.form.token))
}

/** The options an external select offers: from the asker's own open form only. */
export function onBlockSuggestion(rt: SlackRuntime, body: BlockSuggestion) {
  const token = typeof body.view?.private_metadata === 'string' ? body.view.private_metadata : ''
  const entry = rt.forms.get(token)
  if (!entry || entry.userId !== body.user.id) return []
  return suggestOptions(entry.form, body.block_id, body.value)
}
