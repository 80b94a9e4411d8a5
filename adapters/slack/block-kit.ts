/**
 * The few Block Kit pieces every renderer builds with. mrkdwn objects are always `verbatim: true`, so
 * Slack does not turn bare URLs, #channels or @here in shown text into links or mentions.
 */
import type { types } from '@slack/bolt'
import { LIMITS } from './block-limits.js'
import { cutEscaped } from './escape-mrkdwn.js'

export type SlackBlock = types.KnownBlock

export const mrkdwn = (text: string): types.MrkdwnElement => ({ type: 'mrkdwn', text, verbatim: true })
export const plain = (text: string): types.PlainTextElement => ({ type: 'plain_text', text, emoji: true })
export const section = (text: string): types.SectionBlock => ({ type: 'section', text: mrkdwn(text) })
export const contextBlock = (text: string): types.ContextBlock => ({
  type: 'context',
  elements: [mrkdwn(cutEscaped(text, LIMITS.contextText))],
})
/** A context block with our own (already safe) mrkdwn. */
export const noteBlock = (text: string): types.ContextBlock => ({ type: 'context', elements: [mrkdwn(text)] })

/** Escaped lines packed into chunks of at most `max` characters (a line too long is cut). */
export function packLines(lines: readonly string[], max: number): string[] {
  const chunks: string[] = []
  let current = ''
  for (const line of lines) {
    const next = current === '' ? line : `${current}\n${line}`
    if (next.length <= max) {
      current = next
      continue
    }
    if (current !== '') chunks.push(current)
    current = line.length <= max ? line : `${line.slice(0, max - 1)}…`
  }
  if (current !== '') chunks.push(current)
  return chunks
}
