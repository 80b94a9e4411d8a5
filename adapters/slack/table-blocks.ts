/**
 * A Reply's table as Block Kit: aligned monospace rows in ``` code blocks (escaped, backticks swapped so
 * a name cannot close the block), cut per cell, packed under the section limit, and paged: a page shows
 * TABLE_PAGE_ROWS rows and says which; where nothing can page it (alerts) it says how many were left out.
 */
import type { Block, Reply } from '../../src/core/reply.js'
import { contextBlock, packLines, type SlackBlock, section } from './block-kit.js'
import { LIMITS } from './block-limits.js'
import { cutEscaped, escapeCode } from './escape-mrkdwn.js'

/** Table rows per page: a container list longer than this gets Prev / Next. */
export const TABLE_PAGE_ROWS = 20
/** A cell longer than this is cut with … (a table row must stay readable in a code block). */
const CELL_CHARS = 48

const cell = (value: string) => {
  // Only the start of a long value can be shown: cut before the work, not after.
  const clean = value.slice(0, 2 * CELL_CHARS).replace(/\s+/g, ' ')
  const chars = [...clean]
  return chars.length <= CELL_CHARS ? clean : `${chars.slice(0, CELL_CHARS - 1).join('')}…`
}

/** Rows as aligned monospace lines (widths from the whole table, so pages line up). */
function tableLines(columns: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const cells = [columns, ...rows].map((row) => columns.map((_, i) => cell(row[i] ?? '')))
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => [...(row[i] ?? '')].length)))
  return cells.map((row) =>
    row
      .map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - [...c].length)))
      .join('  ')
      .trimEnd(),
  )
}

/** A table as code blocks: each block's text is ``` + lines + ```, under the section limit. */
function codeSections(lines: readonly string[]): SlackBlock[] {
  const fence = '```'
  const room = LIMITS.sectionText - 2 * fence.length - 2
  return packLines(
    lines.map((line) => cutEscaped(line, room, escapeCode)),
    room,
  ).map((chunk) => section(`${fence}\n${chunk}\n${fence}`))
}

export function pageCount(reply: Reply): number {
  const longest = Math.max(0, ...reply.blocks.map((b) => (b.kind === 'table' ? b.rows.length : 0)))
  return Math.max(1, Math.ceil(longest / TABLE_PAGE_ROWS))
}

export function tableBlocks(block: Extract<Block, { kind: 'table' }>, page: number, pageable: boolean): SlackBlock[] {
  const all = tableLines(block.columns, block.rows)
  const [head = '', ...body] = all
  const start = page * TABLE_PAGE_ROWS
  const shown = body.slice(start, start + TABLE_PAGE_ROWS)
  const blocks = codeSections([head, ...shown])
  const notes: string[] = []
  if (body.length > TABLE_PAGE_ROWS) {
    const rows = `rows ${Math.min(start + 1, body.length)}–${Math.min(start + TABLE_PAGE_ROWS, body.length)} of ${body.length}`
    notes.push(pageable ? rows : `${rows}; ${Math.max(0, body.length - start - shown.length)} more not shown`)
  }
  if (block.note) notes.push(block.note)
  if (notes.length > 0) blocks.push(contextBlock(notes.join(' · ')))
  return blocks
}
