/**
 * Alerts in the terminal chat (issue #11): each alert message is printed with its channel and a
 * message number. A terminal cannot edit what it printed long ago, so an edit is printed as a short
 * note about that message: its headline, how often and how it stands now, and its buttons (a digest's
 * counts). The text goes through the same renderer as every reply, so container and VM names are
 * stripped of control characters before they reach the terminal.
 */
import { randomBytes } from 'node:crypto'
import type { AlertSink } from '../../src/core/alert-sink.js'
import type { Block, Reply } from '../../src/core/reply.js'
import { renderReply, sanitize } from './render-text.js'

export function createShellAlertSink(print: (text: string) => void): AlertSink {
  // Message ids stay distinct across restarts of the bot (the store keeps them to edit later).
  const run = randomBytes(2).toString('hex')
  let seq = 0
  const show = (head: string, message: Reply) => print(`${head}\n${renderReply(message)}`)
  return {
    platform: 'shell',
    async post(channel, message) {
      const messageId = `${run}-${++seq}`
      show(`── #${sanitize(channel)} · alert message ${messageId}`, message)
      return { destination: { platform: 'shell', channel }, messageId }
    },
    async update(posted, message) {
      const head = `── #${sanitize(posted.destination.channel)} · alert message ${sanitize(posted.messageId)}, updated`
      show(head, { ...message, blocks: changedPart(message.blocks) })
    },
  }
}

/** The fields an edit changes: how often it fired and where it stands (an alert), the counts (a digest). */
const CHANGING = new Set(['Occurrences', 'Status', 'Events', 'Alerts', 'Last'])

/** What an edit of an alert message says that is new: headline, changing fields, buttons, its id line. */
function changedPart(blocks: readonly Block[]): Block[] {
  return blocks.flatMap((block, i): Block[] => {
    // The headline, the buttons, and the closing `alert <id> · kind` (or digest) line.
    if (i === 0 || i === blocks.length - 1 || block.kind === 'actions') return [block]
    if (block.kind !== 'fields') return []
    const fields = block.fields.filter((f) => CHANGING.has(f.label))
    return fields.length > 0 ? [{ kind: 'fields', fields }] : []
  })
}
