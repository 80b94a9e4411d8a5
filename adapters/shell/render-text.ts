/**
 * Reply → terminal text (pure). Every string that came from a VM, a container or a user is stripped of
 * control characters first, so nothing can move the cursor, clear the screen or fake a prompt.
 * Buttons become tokens like `[Confirm·k3f9]` that `/press k3f9` presses.
 */

import type { Block, Reply, StatusCard } from '../../src/core/reply.js'
import { renderForm } from './render-form.js'

// C0 and C1 controls (ESC included) and DEL, and the bidirectional overrides and isolates that make a
// terminal show text in another order than it is; tabs and line breaks are folded to spaces first.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: they are removed.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

export function sanitize(value: string): string {
  return value.replace(/[\t\n\r\u2028\u2029]+/g, ' ').replace(CONTROL, '')
}

/** Like sanitize, but keeps line breaks (for multi-line texts such as validation errors). */
function sanitizeLines(value: string): string[] {
  return value.split(/\r?\n|[\u2028\u2029]/).map(sanitize)
}

const STEP_MARK: Record<string, string> = { pending: '·', running: '…', done: '✓', failed: '✗', skipped: '-' }
const STYLE_MARK: Record<string, string> = { plain: '', heading: '', success: '✓ ', warning: '! ', error: '✗ ' }

function renderTable(columns: readonly string[], rows: readonly (readonly string[])[], note?: string): string[] {
  const cells = [columns, ...rows].map((row) => columns.map((_, i) => sanitize(row[i] ?? '')))
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => [...(row[i] ?? '')].length)))
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  const [head = [], ...body] = cells
  return [line(head.map((h) => h.toUpperCase())), ...body.map(line), ...(note ? [sanitize(note)] : [])]
}

/** Every card state has its mark (a new state is a compile error here until it gets one). */
const CARD_MARK: Record<StatusCard['state'], string> = {
  running: '…',
  succeeded: '✓',
  failed: '✗',
  cancelled: '✗',
  interrupted: '!',
}

export function renderStatusCard(card: StatusCard): string[] {
  const head = `${CARD_MARK[card.state] ?? '?'} ${sanitize(card.title)} (${card.state})`
  const steps = card.steps.map(
    (s) => `  ${STEP_MARK[s.state] ?? '?'} ${sanitize(s.label)}${s.detail ? ` — ${sanitize(s.detail)}` : ''}`,
  )
  return [head, ...steps, ...(card.detail ? [`  ${sanitize(card.detail)}`] : [])]
}

function renderBlock(block: Block): string[] {
  switch (block.kind) {
    case 'text': {
      const [first = '', ...rest] = sanitizeLines(block.text)
      const line = `${STYLE_MARK[block.style] ?? ''}${first}`
      return [block.style === 'heading' ? line.toUpperCase() : line, ...rest.map((r) => `  ${r}`)]
    }
    case 'fields': {
      const width = Math.max(...block.fields.map((f) => sanitize(f.label).length))
      return block.fields.map((f) => `${`${sanitize(f.label)}:`.padEnd(width + 2)}${sanitize(f.value)}`)
    }
    case 'table':
      return renderTable(block.columns, block.rows, block.note)
    case 'context':
      return [`(${sanitize(block.text)})`]
    case 'actions':
      return [block.actions.map((a) => `[${sanitize(a.label)}·${sanitize(a.token)}]`).join(' ')]
    case 'status':
      return renderStatusCard(block.card)
  }
}

export function renderReply(reply: Reply): string {
  const lines = reply.blocks.flatMap(renderBlock)
  if (reply.form) lines.push(renderForm(reply.form))
  return lines.join('\n')
}
