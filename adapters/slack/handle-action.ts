/**
 * A button press (block_actions), after the ack. Three kinds, told apart by action id:
 * - a Reply's button: its token goes to `Dispatcher.press`; cards and results show in the pressed
 *   message when it is a channel message (an approval card becomes the job's card, then its result),
 *   in a new channel message when the pressed one was private (a confirmation prompt, then removed);
 *   refusals ("you cannot approve your own request") go privately to the presser only;
 * - Prev / Next on a paginated list: the pressed message shows the other page;
 * - "Open the form": the modal, with this press's fresh trigger id, for the form's owner only.
 */
import type { BlockAction } from '@slack/bolt'
import { privateReply, text } from '../../src/core/reply.js'
import { isOurs, OPEN_FORM, PAGE, PRESS } from './action-ids.js'
import type { Conversation } from './conversation.js'
import { parsePageValue } from './pager.js'
import { interactionIdOf, type SlackRuntime } from './slack-runtime.js'
import { replyToMessage } from './to-blocks.js'
import { formToView } from './to-modal.js'

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

export async function onBlockAction(rt: SlackRuntime, body: BlockAction): Promise<void> {
  const action = body.actions[0]
  if (action?.type !== 'button') return
  const channel = body.channel?.id ?? str(body.container.channel_id)
  // Buttons live in messages; a press from anywhere else has nowhere to answer.
  if (!channel) return
  const ephemeral = body.container.is_ephemeral === true
  const ts = str(body.container.message_ts) ?? body.message?.ts
  const message = !ephemeral && ts ? rt.board.at(channel, ts) : undefined
  const convo = rt.conversation({
    channel,
    userId: body.user.id,
    responseUrl: rt.responseUrl(body.response_url),
    message,
  })
  const value = action.value ?? ''
  if (isOurs(action.action_id, PAGE)) return onPage(rt, convo, value, message)
  if (isOurs(action.action_id, OPEN_FORM)) return onOpenForm(rt, convo, value, body)
  if (!isOurs(action.action_id, PRESS)) return
  const actor = await rt.actorOf(body.user.id, body.user.username ?? body.user.name)
  const reply = await rt.dispatcher.press({
    actor,
    token: value,
    status: convo.status,
    interactionId: interactionIdOf(body.trigger_id),
  })
  if (reply.visibility === 'ephemeral') {
    await convo.ephemeral(reply, { replaceOriginal: ephemeral })
    return
  }
  if (ephemeral) await convo.deleteOriginal()
  await convo.reply(reply)
}

async function onPage(
  rt: SlackRuntime,
  convo: Conversation,
  value: string,
  message: ReturnType<SlackRuntime['board']['at']> | undefined,
): Promise<void> {
  const choice = parsePageValue(value)
  const reply = choice ? rt.pager.get(choice.pager) : undefined
  if (!choice || !reply) {
    await convo.ephemeral(privateReply(text('This list has expired; run the command again.', 'warning')))
    return
  }
  const shown = message?.showPage(choice.pager, choice.page)
  if (shown) return shown
  // A private list, or one posted before a restart: the press's response_url replaces it.
  if (!(await convo.replaceOriginal(replyToMessage(reply, choice)))) {
    await convo.ephemeral(privateReply(text('This list can no longer be paged; run the command again.', 'warning')))
  }
}

async function onOpenForm(rt: SlackRuntime, convo: Conversation, token: string, body: BlockAction): Promise<void> {
  const entry = rt.forms.get(token)
  if (!entry) {
    await convo.ephemeral(privateReply(text('That form has expired; run the command again.', 'warning')))
    return
  }
  if (entry.userId !== body.user.id) {
    await convo.ephemeral(privateReply(text('Only the person who ran the command can fill in this form.', 'warning')))
    return
  }
  await rt.api.call('views.open', { trigger_id: body.trigger_id, view: formToView(entry.form) })
}
