/**
 * Where alerts are posted (issue #11): one sink per chat platform, implemented in that platform's
 * adapter folder (terminal chat, Slack, Discord). The alert sender decides what to post and when; a sink
 * only translates a Reply for its platform and delivers it. A sink waits out the platform's own rate
 * limits (Slack 429 `Retry-After`, Discord buckets) before resolving, and throws on refusals that
 * retrying cannot fix (401/403, unknown channel) so the sender stops instead of retrying a storm.
 */
import type { Reply } from './reply.js'

/** A place an alert goes: a platform the bot is connected to and a channel id on it. */
export interface AlertDestination {
  /** `shell`, `slack` or `discord`: the sink's platform. */
  readonly platform: string
  /** Slack channel id (`C…`), Discord channel id (snowflake), or a name for the terminal chat. */
  readonly channel: string
}

/** The message a sink posted, so later updates (acknowledged, resolved, digest counts) edit it in place. */
export interface PostedAlert {
  readonly destination: AlertDestination
  /** Slack's message `ts`, Discord's message id, the terminal chat's line id. */
  readonly messageId: string
}

export interface AlertSink {
  readonly platform: string
  post(channel: string, message: Reply): Promise<PostedAlert>
  update(posted: PostedAlert, message: Reply): Promise<void>
}

/** A sink refused for a reason retrying cannot fix: bad token, missing scope, unknown channel. */
export class AlertSinkRefused extends Error {
  override readonly name = 'AlertSinkRefused'
}
