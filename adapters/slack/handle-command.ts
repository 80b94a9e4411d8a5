/**
 * A slash command (`/docker ps web-1`), after the ack: the text goes to the shared grammar as typed;
 * the reply goes where its visibility says, and a reply that asks for a form opens it as a modal with
 * the command's trigger id. That trigger expires three seconds after the user pressed Enter; when it
 * has (a slow answer), the user gets a button that opens the form with a fresh one.
 */
import type { Form, Reply } from '../../src/core/reply.js'
import type { Conversation } from './conversation.js'
import { decodeCommandText } from './escape-mrkdwn.js'
import type { ResponseUrl } from './response-url.js'
import { interactionIdOf, type SlackRuntime } from './slack-runtime.js'
import { formPromptMessage } from './to-blocks.js'
import { formToView } from './to-modal.js'

/** The fields of a slash-command payload the adapter reads. */
export interface SlashCommandPayload {
  readonly command: string
  readonly text: string
  readonly user_id: string
  readonly user_name?: string | undefined
  readonly channel_id: string
  readonly trigger_id: string
  readonly response_url: string
}

export async function onSlashCommand(rt: SlackRuntime, command: SlashCommandPayload): Promise<void> {
  const responseUrl = rt.responseUrl(command.response_url)
  const convo = rt.conversation({ channel: command.channel_id, userId: command.user_id, responseUrl })
  const actor = await rt.actorOf(command.user_id, command.user_name)
  const reply = await rt.dispatcher.handle({
    actor,
    text: `${command.command} ${decodeCommandText(command.text)}`.trim(),
    status: convo.status,
    interactionId: interactionIdOf(command.trigger_id),
  })
  if (reply.form) {
    await openForm(rt, reply, reply.form, command.trigger_id, {
      convo,
      userId: command.user_id,
      responseUrl,
    })
    return
  }
  await convo.reply(reply)
}

export async function openForm(
  rt: SlackRuntime,
  reply: Reply,
  form: Form,
  triggerId: string,
  where: { readonly convo: Conversation; readonly userId: string; readonly responseUrl?: ResponseUrl | undefined },
): Promise<void> {
  rt.forms.remember({ form, userId: where.userId, channel: where.convo.channel, responseUrl: where.responseUrl })
  try {
    await rt.api.call('views.open', { trigger_id: triggerId, view: formToView(form) })
  } catch (error) {
    rt.log.warn({ err: error }, 'the form could not be opened straight away; offering a button instead')
    await where.convo.ephemeralMessage(formPromptMessage(reply, form.token))
  }
}
