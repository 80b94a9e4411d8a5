/**
 * The AlertSink for Slack: an alert is a Reply posted to a channel id with the bot token and edited in
 * place later (acknowledged, resolved, digest counts). Rate limits are waited out as `Retry-After`
 * says (slack-api.ts); a refusal retrying cannot fix — a revoked token, a missing scope, a channel the
 * bot is not in — becomes `AlertSinkRefused` at once, with what to do, so the sender stops.
 */
import { type AlertSink, AlertSinkRefused, type PostedAlert } from '../../src/core/alert-sink.js'
import type { Reply } from '../../src/core/reply.js'
import { type SlackCaller, SlackRefused } from './slack-api.js'
import { replyToMessage } from './to-blocks.js'

const ADVICE: Readonly<Record<string, string>> = {
  invalid_auth: 'the bot token is wrong; check platforms.slack.botToken',
  not_authed: 'no bot token was sent; check platforms.slack.botToken',
  token_revoked: 'the bot token was revoked; reinstall the app and update platforms.slack.botToken',
  token_expired: 'the bot token expired; reinstall the app and update platforms.slack.botToken',
  account_inactive: 'the app was uninstalled or its bot deactivated; reinstall it',
  missing_scope: 'the app lacks a scope (chat:write); add it in the app settings and reinstall',
  not_in_channel: 'the bot is not in that channel; invite it (/invite @xen-chatops)',
  channel_not_found: 'there is no such channel, or the bot cannot see it; check the channel id',
  is_archived: 'the channel is archived; pick another alert channel',
}

async function delivered<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof SlackRefused) {
      throw new AlertSinkRefused(
        `Slack refused ${what} (${error.code}): ${ADVICE[error.code] ?? 'check the app settings'}`,
      )
    }
    throw error
  }
}

export function createSlackAlertSink(api: SlackCaller): AlertSink {
  return {
    platform: 'slack',
    async post(channel: string, message: Reply): Promise<PostedAlert> {
      const posted = await delivered('the alert', () =>
        api.call('chat.postMessage', { channel, ...replyToMessage(message), unfurl_links: false, unfurl_media: false }),
      )
      return {
        destination: { platform: 'slack', channel: typeof posted.channel === 'string' ? posted.channel : channel },
        messageId: String(posted.ts),
      }
    },
    async update(posted: PostedAlert, message: Reply): Promise<void> {
      await delivered('the alert update', () =>
        api.call('chat.update', {
          channel: posted.destination.channel,
          ts: posted.messageId,
          ...replyToMessage(message),
        }),
      )
    },
  }
}
