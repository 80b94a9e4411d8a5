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
  /**
   * A form to open (a Slack modal, a Discord modal, prompts in the terminal). The blocks say what it is
   * for, so a platform that cannot open it right now still answers something readable.
   */
  readonly form?: Form | undefined
  /**
   * The interaction was handled already (a platform's redelivery, or the same event handed to another
   * replica, which claimed it first): the one that handled it answers. An adapter that can stay silent
   * does; the blocks say why, for one that must answer something (a deferred Discord reply).
   */
  readonly duplicate?: true | undefined
}

export type FormInput =
  | {
      readonly kind: 'text'
      /** The command argument this input fills: a submitted value is validated by the command's schema. */
      readonly id: string
      readonly label: string
      readonly multiline?: boolean | undefined
      readonly initial?: string | undefined
      readonly optional?: boolean | undefined
      readonly placeholder?: string | undefined
      /** Shown under the input: what to enter, and why. */
      readonly hint?: string | undefined
      readonly maxLength?: number | undefined
      /**
       * A one-time secret (a password): never prefilled, never echoed back, never stored, logged or
       * audited. The command receives an opaque handle and reads the value once through `ctx.secret`.
       */
      readonly secret?: boolean | undefined
    }
  | {
      readonly kind: 'select'
      readonly id: string
      readonly label: string
      readonly options: readonly { readonly value: string; readonly label: string }[]
      readonly initial?: string | undefined
      readonly optional?: boolean | undefined
      readonly hint?: string | undefined
    }

/**
 * A modal to fill in. `token` points at the pending request on the server (who asked, which command,
 * what was already given); the submission carries only the token and the values.
 */
export interface Form {
  readonly token: string
  readonly title: string
  readonly submitLabel: string
  readonly inputs: readonly FormInput[]
}

/** What a command describes; the dispatcher adds the token. */
export type FormSpec = Omit<Form, 'token'>

/** The answer to a form submission: either the command's reply, or the problems with the values given. */
export type SubmitOutcome =
  | { readonly kind: 'reply'; readonly reply: Reply }
  | {
      readonly kind: 'invalid'
      /** Input id → what is wrong with it, in words (Slack shows these inline; Discord lists them). */
      readonly errors: Readonly<Record<string, string>>
      /** The same form with the values given kept (secrets blanked), to reopen. */
      readonly form: Form
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
