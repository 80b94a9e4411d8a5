/**
 * Reply → Block Kit, a pure function (golden-tested). Every string of the Reply is escaped for mrkdwn;
 * our own markup (bold titles, code fences, emoji) is added around the escaped text only. Limits hold
 * by construction: text is cut per section, fields and buttons are spread over blocks, a long table is
 * paginated (Prev / Next) or, where nothing can page it (alerts), cut with a note, and a message never
 * has more than 50 blocks or more text than Slack takes.
 */
import type { types } from '@slack/bolt'
import type { Action, Block, Reply, StatusCard, TextStyle } from '../../src/core/reply.js'
import { OPEN_FORM, PAGE, PRESS } from './action-ids.js'
import { contextBlock, mrkdwn, noteBlock, packLines, plain, type SlackBlock, section } from './block-kit.js'
import { LIMITS } from './block-limits.js'
import { cutEscaped, cutPlain } from './escape-mrkdwn.js'
import { pageCount, tableBlocks } from './table-blocks.js'

export type { SlackBlock } from './block-kit.js'
export { pageCount, TABLE_PAGE_ROWS } from './table-blocks.js'

export interface SlackMessage {
  /** The notification and fallback text: escaped, short. */
  readonly text: string
  readonly blocks: SlackBlock[]
}

/** Which page of a paginated reply to show, and the id its Prev / Next buttons carry. */
export interface PageChoice {
  readonly page: number
  /** Undefined where no button can page (alerts): the first page is shown with a note. */
  readonly pager?: string | undefined
}

const FALLBACK_CHARS = 300

const STYLE_MARK: Record<TextStyle, string> = { plain: '', heading: '', success: '✅ ', warning: '⚠️ ', error: '❌ ' }
const CARD_MARK: Record<StatusCard['state'], string> = {
  running: '⏳',
  succeeded: '✅',
  failed: '❌',
  cancelled: '🚫',
  interrupted: '⚠️',
}
const STEP_MARK: Record<StatusCard['steps'][number]['state'], string> = {
  pending: '▫️',
  running: '🔄',
  done: '✅',
  failed: '❌',
  skipped: '➖',
}

/** Sections of mrkdwn from raw text lines, each escaped and cut, packed under the section limit. */
function textSections(rawLines: readonly string[], prefix = ''): types.SectionBlock[] {
  const lines = rawLines.map(
    (line, i) => (i === 0 ? prefix : '') + cutEscaped(line, LIMITS.sectionText - prefix.length),
  )
  return packLines(lines, LIMITS.sectionText).map(section)
}

function textBlocks(value: string, style: TextStyle): SlackBlock[] {
  const [first = '', ...rest] = value.split('\n')
  if (style === 'heading') {
    // Bold needs its closing * on the same line; only the first line is the heading.
    const head = section(`*${cutEscaped(first, LIMITS.sectionText - 2)}*`)
    return rest.length > 0 ? [head, ...textSections(rest)] : [head]
  }
  return textSections([first, ...rest], STYLE_MARK[style])
}

function fieldBlocks(entries: readonly { readonly label: string; readonly value: string }[]): SlackBlock[] {
  const fields = entries.map((f) => {
    const label = `*${cutEscaped(f.label, 200)}*\n`
    return mrkdwn(label + cutEscaped(f.value, LIMITS.fieldText - label.length))
  })
  const blocks: SlackBlock[] = []
  for (let i = 0; i < fields.length; i += LIMITS.sectionFields) {
    blocks.push({ type: 'section', fields: fields.slice(i, i + LIMITS.sectionFields) })
  }
  return blocks
}

function buttonOf(action: Action, index: number): types.Button {
  if (action.token.length > LIMITS.buttonValue) {
    throw new Error(`a button token of ${action.token.length} characters does not fit Slack's ${LIMITS.buttonValue}`)
  }
  return {
    type: 'button',
    action_id: `${PRESS}:${index}`,
    text: plain(cutPlain(action.label, LIMITS.buttonText)),
    value: action.token,
    ...(action.style ? { style: action.style } : {}),
  }
}

function actionBlocks(list: readonly Action[], counter: { next: number }): SlackBlock[] {
  const buttons = list.map((a) => buttonOf(a, counter.next++))
  const blocks: SlackBlock[] = []
  for (let i = 0; i < buttons.length; i += LIMITS.actionsElements) {
    blocks.push({ type: 'actions', elements: buttons.slice(i, i + LIMITS.actionsElements) })
  }
  return blocks
}

/** A live status card: title with its state, the steps, and the detail. */
export function cardBlocks(card: StatusCard): SlackBlock[] {
  const title = `${CARD_MARK[card.state]} *${cutEscaped(card.title, LIMITS.sectionText - 40)}* — ${card.state}`
  const blocks: SlackBlock[] = [section(title)]
  if (card.steps.length > 0) {
    const lines = card.steps.map(
      (s) => `${STEP_MARK[s.state]} ${cutEscaped(s.label, 500)}${s.detail ? ` — ${cutEscaped(s.detail, 1_000)}` : ''}`,
    )
    blocks.push(...packLines(lines, LIMITS.sectionText).map(section))
  }
  if (card.detail) blocks.push(contextBlock(card.detail))
  return blocks
}

function blocksOf(block: Block, page: number, pageable: boolean, counter: { next: number }): SlackBlock[] {
  switch (block.kind) {
    case 'text':
      return textBlocks(block.text, block.style)
    case 'fields':
      return fieldBlocks(block.fields)
    case 'table':
      return tableBlocks(block, page, pageable)
    case 'context':
      return [contextBlock(block.text)]
    case 'actions':
      return actionBlocks(block.actions, counter)
    case 'status':
      return cardBlocks(block.card)
  }
}

const charsOf = (block: SlackBlock): number => JSON.stringify(block).length

/**
 * Keeps the message within Slack's block count and its total text: `tail` (page buttons) always
 * stays; content blocks are dropped from the end, with a note saying how many.
 */
export function fitBlocks(content: readonly SlackBlock[], tail: readonly SlackBlock[] = []): SlackBlock[] {
  const room = LIMITS.messageBlocks - tail.length
  let kept = [...content]
  const over = () => kept.length > room || [...kept, ...tail].reduce((n, b) => n + charsOf(b), 0) > LIMITS.messageChars
  if (!over()) return [...kept, ...tail]
  // One slot for the note saying what was left out.
  while (kept.length > 0 && (kept.length > room - 1 || over())) kept = kept.slice(0, -1)
  const dropped = content.length - kept.length
  return [...kept, noteBlock(`… ${dropped} more block(s) not shown: Slack limits the size of a message`), ...tail]
}

/** The message's notification text: what its first block says, escaped and short. */
export function fallbackText(reply: Reply): string {
  const [first] = reply.blocks
  const raw = (() => {
    switch (first?.kind) {
      case 'text':
      case 'context':
        return first.text.split('\n')[0] ?? ''
      case 'fields':
        return first.fields
          .slice(0, 2)
          .map((f) => `${f.label}: ${f.value}`)
          .join(' · ')
      case 'table':
        return `${first.rows.length} row(s)`
      case 'status':
        return `${first.card.title} — ${first.card.state}`
      default:
        return 'xen-chatops'
    }
  })()
  return cutEscaped(raw, FALLBACK_CHARS)
}

export const cardText = (card: StatusCard) => cutEscaped(`${card.title} — ${card.state}`, FALLBACK_CHARS)

/** Prev / Next buttons under a paginated reply. */
function pagerBlocks(choice: PageChoice, pages: number): SlackBlock[] {
  const { page, pager } = choice
  if (!pager || pages <= 1) return []
  const buttons: types.Button[] = []
  if (page > 0)
    buttons.push({ type: 'button', action_id: `${PAGE}:prev`, text: plain('◀ Prev'), value: `${pager}:${page - 1}` })
  if (page < pages - 1) {
    buttons.push({ type: 'button', action_id: `${PAGE}:next`, text: plain('Next ▶'), value: `${pager}:${page + 1}` })
  }
  return [noteBlock(`page ${page + 1} of ${pages}`), { type: 'actions', elements: buttons }]
}

/** The blocks of a reply (one page of it), without the 50-block fit (callers compose and fit). */
export function replyBlocks(
  reply: Reply,
  choice: PageChoice = { page: 0 },
): { content: SlackBlock[]; tail: SlackBlock[] } {
  const pages = pageCount(reply)
  const page = Math.min(Math.max(0, Math.trunc(choice.page)), pages - 1)
  const pageable = choice.pager !== undefined && pages > 1
  const counter = { next: 0 }
  const content = reply.blocks.flatMap((b) => blocksOf(b, page, pageable, counter))
  return { content, tail: pagerBlocks({ page, pager: choice.pager }, pages) }
}

/** Reply → a message (one page of it when it is long). */
export function replyToMessage(reply: Reply, choice: PageChoice = { page: 0 }): SlackMessage {
  const { content, tail } = replyBlocks(reply, choice)
  return { text: fallbackText(reply), blocks: fitBlocks(content, tail) }
}

/** A status card alone as a message. */
export function cardToMessage(card: StatusCard): SlackMessage {
  return { text: cardText(card), blocks: fitBlocks(cardBlocks(card)) }
}

/** A form's reply with a button that opens the form (when the modal could not be opened straight away). */
export function formPromptMessage(reply: Reply, formToken: string): SlackMessage {
  const { content } = replyBlocks(reply)
  const button: types.Button = {
    type: 'button',
    action_id: OPEN_FORM,
    text: plain('Open the form'),
    style: 'primary',
    value: formToken,
  }
  return { text: fallbackText(reply), blocks: fitBlocks(content, [{ type: 'actions', elements: [button] }]) }
}
