/**
 * The neutral UI model (DESIGN.md): commands answer with a Reply made of a few block kinds, or ask for
 * a Form; adapters translate (Block Kit, Discord embeds and components, terminal text). Every string is
 * plain text — no markup — and adapters escape all of it for their platform, so a container or VM name
 * can never inject mentions, links or escape sequences whatever the command did with it.
 */

export type TextStyle = 'plain' | 'heading' | 'success' | 'warning' | 'error'

export interface Action {
  /** Opaque token the adapter echoes back when pressed; it points at server-side state only. */
  readonly token: string
  readonly label: string
  readonly style?: 'primary' | 'danger' | undefined
}

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped'

/** A live status card: one message the adapter edits in place as the job moves. */
export interface StatusCard {
  readonly title: string
  /** `interrupted`: the bot stopped while the job ran; what is known is said, nothing is guessed. */
  readonly state: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted'
  readonly steps: readonly { readonly label: string; readonly state: StepState; readonly detail?: string | undefined }[]
  readonly detail?: string | undefined
}

export type Block =
  | { readonly kind: 'text'; readonly text: string; readonly style: TextStyle }
  | { readonly kind: 'fields'; readonly fields: readonly { readonly label: string; readonly value: string }[] }
  | {
      readonly kind: 'table'
      readonly columns: readonly string[]
      readonly rows: readonly (readonly string[])[]
      /** Said under the table when rows were cut to fit a platform (e.g. "12 more not shown"). */
      readonly note?: string | undefined
    }
  | { readonly kind: 'context'; readonly text: string }
  | { readonly kind: 'actions'; readonly actions: readonly Action[] }
  | { readonly kind: 'status'; readonly card: StatusCard }

export interface Reply {
  readonly blocks: readonly Block[]
  /** Errors, denials and help go only to the asker; results and cards to the channel. */
  readonly visibility: 'ephemeral' | 'channel'
}

export type FormInput =
  | {
      readonly kind: 'text'
      readonly id: string
      readonly label: string
      readonly multiline?: boolean | undefined
      readonly initial?: string | undefined
      readonly optional?: boolean | undefined
    }
  | {
      readonly kind: 'select'
      readonly id: string
      readonly label: string
      readonly options: readonly { readonly value: string; readonly label: string }[]
      readonly initial?: string | undefined
      readonly optional?: boolean | undefined
    }

export interface Form {
  readonly token: string
  readonly title: string
  readonly submitLabel: string
  readonly inputs: readonly FormInput[]
}

export const text = (value: string, style: TextStyle = 'plain'): Block => ({ kind: 'text', text: value, style })
export const context = (value: string): Block => ({ kind: 'context', text: value })
export const fields = (entries: Readonly<Record<string, string>>): Block => ({
  kind: 'fields',
  fields: Object.entries(entries).map(([label, value]) => ({ label, value })),
})
export const table = (columns: readonly string[], rows: readonly (readonly string[])[], note?: string): Block => ({
  kind: 'table',
  columns,
  rows,
  note,
})
export const actions = (...list: Action[]): Block => ({ kind: 'actions', actions: list })

export const reply = (visibility: Reply['visibility'], ...blocks: Block[]): Reply => ({ visibility, blocks })
export const channelReply = (...blocks: Block[]): Reply => reply('channel', ...blocks)
export const privateReply = (...blocks: Block[]): Reply => reply('ephemeral', ...blocks)
