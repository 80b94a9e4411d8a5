/**
 * Payload builders: what Slack sends the bot, typed with bolt's own payload types (chat-platforms.md
 * §4.3 pitfall 21), so a missing field is a compile error rather than a silently dropped event.
 */
import type { BlockAction, BlockSuggestion, ButtonAction, SlashCommand, ViewSubmitAction } from '@slack/bolt'
import type { FakeSlack } from './fake-slack.js'

export interface SlackUser {
  readonly id: string
  readonly name: string
}

export const CHANNEL = 'C0OPS'
const TEAM = { id: 'T0TEAM', domain: 'example' }

/** Slack sends `&`, `<` and `>` in slash-command text as entities. */
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** `/docker ps web-1` typed by `user` in `channel`. */
export function slashCommand(fake: FakeSlack, user: SlackUser, line: string, channel = CHANNEL): SlashCommand {
  const [command = '', ...rest] = line.split(' ')
  return {
    token: 'verification-token-unused',
    command,
    text: slackEscape(rest.join(' ')),
    response_url: fake.responseUrl(),
    trigger_id: fake.triggerId(),
    user_id: user.id,
    user_name: user.name,
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: channel,
    channel_name: 'ops',
    api_app_id: 'A0TEST',
  }
}

export interface Button {
  readonly action_id: string
  readonly value: string
  readonly block_id?: string | undefined
}

/** `user` presses `button` in a channel message (`ts`) or in an ephemeral one. */
export function buttonPress(
  fake: FakeSlack,
  user: SlackUser,
  button: Button,
  where: { readonly channel?: string; readonly ts?: string | undefined; readonly ephemeral?: boolean },
): BlockAction<ButtonAction> {
  const channel = where.channel ?? CHANNEL
  const ts = where.ts ?? '1700000000.999999'
  return {
    type: 'block_actions',
    actions: [
      {
        type: 'button',
        action_id: button.action_id,
        block_id: button.block_id ?? 'b1',
        value: button.value,
        text: { type: 'plain_text', text: 'button' },
        action_ts: `${Date.now() / 1000}`,
      },
    ],
    team: TEAM,
    user: { id: user.id, username: user.name, name: user.name, team_id: TEAM.id },
    channel: { id: channel, name: 'ops' },
    ...(where.ephemeral ? {} : { message: { type: 'message', ts, text: '' } }),
    token: 'verification-token-unused',
    response_url: fake.responseUrl(),
    trigger_id: fake.triggerId(),
    api_app_id: 'A0TEST',
    container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: where.ephemeral === true },
  }
}

export type SubmittedValue = string | { readonly option: string }

/** `user` submits the modal `view` (as views.open stored it) with values by block id. */
export function viewSubmission(
  user: SlackUser,
  view: Record<string, unknown>,
  values: Readonly<Record<string, SubmittedValue>>,
  triggerId: string,
): ViewSubmitAction {
  const state: Record<string, Record<string, { type: string; value?: string; selected_option?: unknown }>> = {}
  for (const [blockId, value] of Object.entries(values)) {
    state[blockId] =
      typeof value === 'string'
        ? { value: { type: 'plain_text_input', value } }
        : {
            value: {
              type: 'static_select',
              selected_option: { text: { type: 'plain_text', text: '' }, value: value.option },
            },
          }
  }
  return {
    type: 'view_submission',
    team: TEAM,
    user: { id: user.id, name: user.name, team_id: TEAM.id },
    view: {
      ...(view as unknown as ViewSubmitAction['view']),
      state: { values: state as unknown as ViewSubmitAction['view']['state']['values'] },
    },
    api_app_id: 'A0TEST',
    token: 'verification-token-unused',
    trigger_id: triggerId,
  }
}

/** An external select in `view` asks for the options matching what `user` typed. */
export function blockSuggestion(
  user: SlackUser,
  view: Record<string, unknown>,
  blockId: string,
  typed: string,
): BlockSuggestion {
  return {
    type: 'block_suggestion',
    block_id: blockId,
    action_id: 'value',
    value: typed,
    api_app_id: 'A0TEST',
    team: TEAM,
    user: { id: user.id, name: user.name, team_id: TEAM.id },
    token: 'verification-token-unused',
    container: { type: 'view', view_id: String(view.id) },
    view: view as unknown as NonNullable<BlockSuggestion['view']>,
  }
}
