/**
 * What the event handlers share: the dispatcher they hand invocations to, the Slack API, the adapter's
 * memory (live messages, paginated replies, open forms) and how a Slack user becomes an Actor.
 */
import type { Actor } from '../../src/core/command.js'
import type { Dispatcher } from '../../src/core/dispatcher.js'
import type { Log } from '../../src/log.js'
import type { Conversation, ConversationPlace } from './conversation.js'
import type { MessageBoard } from './live-message.js'
import type { OpenForms } from './open-forms.js'
import type { Pager } from './pager.js'
import type { ResponseUrl } from './response-url.js'
import type { SlackCaller } from './slack-api.js'

/** What the adapter needs of the dispatcher. */
export type ChatDispatcher = Pick<Dispatcher, 'handle' | 'press' | 'submit'>

export interface SlackRuntime {
  readonly dispatcher: ChatDispatcher
  readonly api: SlackCaller
  readonly log: Log
  readonly pager: Pager
  readonly board: MessageBoard
  readonly forms: OpenForms
  /** How long a modal submission may take to be checked before the modal is closed anyway (Slack allows 3 s). */
  readonly submitAckMs: number
  /** The Slack user as an Actor: id, display name, and the tracked user groups they are in. */
  actorOf(userId: string, name: string | undefined): Promise<Actor>
  /** A response_url from a payload, when it points at Slack. */
  responseUrl(raw: unknown): ResponseUrl | undefined
  conversation(place: ConversationPlace): Conversation
}

/** Redelivered events (Slack retries, a second Socket Mode connection) carry the same trigger id. */
export const interactionIdOf = (triggerId: string | undefined) => (triggerId ? `slack:${triggerId}` : undefined)
