/**
 * Reply → a Discord message (pure): the blocks become one embed, in order (text, `label: value` lines,
 * tables as a code block, context notes in the footer), each status card its own embed, and buttons
 * up to 5 rows of 5. Discord's limits (embed 4096/6000 characters, 10 embeds, 25 buttons, labels 80,
 * custom ids 100) are met by cutting with a note saying so, never by an API error. Every string from a
 * VM, a container or a user is escaped (escape-text.ts) and no message mentions anyone, except the
 * approver roles an approval request pings on purpose.
 */
import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
} from 'discord.js'
import { parseVoteToken } from '../../src/core/approvals.js'
import type { Action, Block, Reply, StatusCard, TextStyle } from '../../src/core/reply.js'
import { cut } from './command-json.js'
import { CUSTOM_ID_MAX, pressId } from './custom-ids.js'
import { codeCell, escapeMarkdown, plainLine } from './escape-text.js'

export const LIMITS = {
  title: 256,
  description: 4096,
  footer: 2048,
  embedsTotal: 6000,
  embeds: 10,
  rows: 5,
  buttonsPerRow: 5,
  label: 80,
  content: 2000,
} as const

/** Table cells are cut to this many characters, so a row stays readable in an embed. */
const CELL_MAX = 40

export type MessageRow = APIActionRowComponent<APIComponentInMessageActionRow>

export interface DiscordMessage {
  readonly content?: string | undefined
  readonly embeds: readonly APIEmbed[]
  readonly components: readonly MessageRow[]
  /** Role ids this message pings on purpose; every other mention is off. */
  readonly pingRoles?: readonly string[] | undefined
}

const COLORS = { plain: 0x5865f2, success: 0x57f287, warning: 0xfee75c, error: 0xed4245 } as const
const STYLE_MARK: Record<TextStyle, string> = { plain: '', heading: '', success: '✅ ', warning: '⚠️ ', error: '❌ ' }
const STEP_MARK: Record<string, string> = { pending: '▫️', running: '⏳', done: '✅', failed: '❌', skipped: '➖' }
const CARD: Record<StatusCard['state'], { mark: string; color: number }> = {
  running: { mark: '⏳', color: COLORS.plain },
  succeeded: { mark: '✅', color: COLORS.success },
  failed: { mark: '❌', color: COLORS.error },
  cancelled: { mark: '✖️', color: COLORS.warning },
  interrupted: { mark: '⚠️', color: COLORS.warning },
}

/** Characters Discord counts towards an embed's share of the 6000. */
export function embedSize(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  )
}

/** Lines up to `max` characters; what does not fit is replaced by a line saying how much was cut. */
function fitLines(lines: readonly string[], max: number): string {
  const out: string[] = []
  let used = 0
  for (const [i, line] of lines.entries()) {
    const rest = lines.length - i
    const note = `… ${rest} more line${rest === 1 ? '' : 's'} not shown (Discord's size limit)`
    if (used + line.length + 1 > max - note.length - 1) {
      out.push(note)
      break
    }
    out.push(line)
    used += line.length + 1
  }
  return out.join('\n').slice(0, max)
}

/** A table as a code block of at most `budget` characters; rows that do not fit are counted in a note. */
function tableLines(block: Extract<Block, { kind: 'table' }>, budget: number): string[] {
  const cell = (value: string) => cut(codeCell(value), CELL_MAX)
  const rows = [
    block.columns.map((c) => cell(c).toUpperCase()),
    ...block.rows.map((r) => block.columns.map((_, i) => cell(r[i] ?? ''))),
  ]
  const widths = block.columns.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)))
  const line = (row: readonly string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  const [head = [], ...body] = rows
  const kept = [line(head)]
  let size = kept[0]?.length ?? 0
  // Room for the fences and the note about cut rows.
  const room = budget - 120
  let shown = 0
  for (const row of body) {
    const text = line(row)
    if (size + text.length + 1 > room) break
    kept.push(text)
    size += text.length + 1
    shown++
  }
  const notes = [
    ...(shown < body.length
      ? [`${body.length - shown} more row${body.length - shown === 1 ? '' : 's'} not shown`]
      : []),
    ...(block.note ? [block.note] : []),
  ]
  return ['```', ...kept, '```', ...notes.map((n) => `*${escapeMarkdown(n)}*`)]
}

function severity(blocks: readonly Block[]): number {
  const styles = new Set(blocks.flatMap((b) => (b.kind === 'text' ? [b.style] : [])))
  if (styles.has('error')) return COLORS.error
  if (styles.has('warning')) return COLORS.warning
  if (styles.has('success')) return COLORS.success
  return COLORS.plain
}

/** A status card as an embed: title with its state mark, one line per step, the detail under them. */
export function statusEmbed(card: StatusCard): APIEmbed {
  const { mark, color } = CARD[card.state]
  const steps = card.steps.map(
    (s) =>
      `${STEP_MARK[s.state] ?? '•'} ${escapeMarkdown(s.label)}${s.detail ? ` — ${escapeMarkdown(s.detail, true)}` : ''}`,
  )
  const lines = [...steps, ...(card.detail ? ['', escapeMarkdown(card.detail, true)] : [])]
  return {
    title: cut(`${mark} ${escapeMarkdown(card.title)}`, LIMITS.title),
    color,
    ...(lines.length > 0 ? { description: fitLines(lines, LIMITS.description) } : {}),
    footer: { text: card.state },
  }
}

function mainEmbed(blocks: readonly Block[], budget: number): APIEmbed | undefined {
  let title: string | undefined
  const lines: string[] = []
  const footer: string[] = []
  const room = Math.min(LIMITS.description, budget)
  for (const block of blocks) {
    switch (block.kind) {
      case 'text':
        if (block.style === 'heading' && title === undefined && lines.length === 0) {
          title = cut(escapeMarkdown(block.text), LIMITS.title)
        } else if (block.style === 'heading') lines.push(`**${escapeMarkdown(block.text)}**`)
        else lines.push(`${STYLE_MARK[block.style]}${escapeMarkdown(block.text, true)}`)
        break
      case 'fields':
        for (const f of block.fields) lines.push(`**${escapeMarkdown(f.label)}**: ${escapeMarkdown(f.value, true)}`)
        break
      case 'table': {
        const used = lines.reduce((n, l) => n + l.length + 1, 0)
        lines.push(...tableLines(block, room - used))
        break
      }
      case 'context':
        footer.push(plainLine(block.text))
        break
      case 'actions':
      case 'status':
        break
    }
  }
  if (title === undefined && lines.length === 0 && footer.length === 0) return undefined
  const footerText = cut(footer.join(' · '), LIMITS.footer)
  const description =
    lines.length > 0 ? fitLines(lines, Math.max(0, room - footerText.length - (title?.length ?? 0))) : ''
  return {
    ...(title === undefined ? {} : { title }),
    color: severity(blocks),
    ...(description ? { description } : {}),
    ...(footerText ? { footer: { text: footerText } } : {}),
  }
}

function button(action: Action): APIButtonComponentWithCustomId | undefined {
  const customId = pressId(action.token)
  if (customId.length > CUSTOM_ID_MAX) return undefined
  const style =
    action.style === 'primary'
      ? ButtonStyle.Primary
      : action.style === 'danger'
        ? ButtonStyle.Danger
        : ButtonStyle.Secondary
  return {
    type: ComponentType.Button,
    custom_id: customId,
    label: cut(plainLine(action.label), LIMITS.label) || '…',
    style,
  }
}

/** Buttons in rows of 5, at most 5 rows; each actions block starts a new row. */
export function buttonRows(blocks: readonly Block[]): { rows: MessageRow[]; dropped: number } {
  const rows: MessageRow[] = []
  let dropped = 0
  for (const block of blocks) {
    if (block.kind !== 'actions') continue
    const buttons = block.actions.map(button)
    dropped += buttons.filter((b) => b === undefined).length
    const usable = buttons.filter((b) => b !== undefined)
    for (let i = 0; i < usable.length; i += LIMITS.buttonsPerRow) {
      if (rows.length === LIMITS.rows) {
        dropped += usable.length - i
        break
      }
      rows.push({ type: ComponentType.ActionRow, components: usable.slice(i, i + LIMITS.buttonsPerRow) })
    }
  }
  return { rows, dropped }
}

/** Whether the reply asks for an approval (it carries an Approve vote button): approvers may be pinged. */
export function isApprovalRequest(reply: Reply): boolean {
  return reply.blocks.some(
    (b) => b.kind === 'actions' && b.actions.some((a) => parseVoteToken(a.token)?.kind === 'approve'),
  )
}

export function renderReply(reply: Reply): DiscordMessage {
  const cards = reply.blocks.flatMap((b) => (b.kind === 'status' ? [statusEmbed(b.card)] : []))
  const { rows, dropped } = buttonRows(reply.blocks)
  const blocks: Block[] = [...reply.blocks]
  if (dropped > 0) blocks.push({ kind: 'context', text: `${dropped} button(s) not shown (Discord allows 25)` })
  const budget = LIMITS.embedsTotal - cards.reduce((n, e) => n + embedSize(e), 0)
  const main = mainEmbed(blocks, budget)
  const embeds = [...(main ? [main] : []), ...cards].slice(0, LIMITS.embeds)
  return { embeds: embeds.length > 0 ? embeds : [{ description: 'Done.' }], components: rows }
}

export function renderStatus(card: StatusCard): DiscordMessage {
  return { embeds: [statusEmbed(card)], components: [] }
}
